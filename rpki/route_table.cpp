/// \file rpki/route_table.cpp — the prefix tries behind RouteTable.
#include "rpki/route_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace mamori::rpki {
namespace {

constexpr std::uint32_t none = 0xffffffffu;

/// A path-compressed binary trie over keys left-aligned in `Key` (32 bits for IPv4, 128
/// for IPv6). Each node carries the value of its prefix (an offset into the origin pool)
/// or `none` when it only joins two branches.
template <typename Key>
class Trie {
public:
    static constexpr unsigned width = sizeof(Key) * 8;

    struct Node {
        Key key;
        std::uint32_t child[2] = {none, none};
        std::uint32_t value = none;
        std::uint8_t length = 0;
    };

    /// The node of exactly (key, length), created when missing.
    std::uint32_t insert(Key key, unsigned length) {
        std::uint32_t parent = none, current = root_;
        int side = 0;
        while (current != none) {
            const Key node_key = nodes_[current].key;
            const unsigned node_length = nodes_[current].length;
            const unsigned common = common_length(key, node_key, std::min(length, node_length));
            if (common == node_length && node_length == length) return current;
            if (common == node_length) {  // the node is a less-specific of the key: go down
                parent = current;
                side = bit(key, node_length);
                current = nodes_[current].child[side];
                continue;
            }
            if (common == length) {  // the key is a less-specific of the node: put it above
                const std::uint32_t fresh = make(key, length);
                nodes_[fresh].child[bit(node_key, length)] = current;
                relink(parent, side, fresh);
                return fresh;
            }
            // They part at `common`: a joining node with both below it.
            const std::uint32_t join = make(key & mask(common), common);
            const std::uint32_t fresh = make(key, length);
            nodes_[join].child[bit(key, common)] = fresh;
            nodes_[join].child[bit(node_key, common)] = current;
            relink(parent, side, join);
            return fresh;
        }
        const std::uint32_t fresh = make(key, length);
        relink(parent, side, fresh);
        return fresh;
    }

    /// The most specific node with a value covering (key, length), or `none`.
    std::uint32_t longest_match(Key key, unsigned length) const {
        std::uint32_t best = none, current = root_;
        while (current != none) {
            const Node& n = nodes_[current];
            if (n.length > length || ((key ^ n.key) & mask(n.length)) != 0) break;
            if (n.value != none) best = current;
            if (n.length >= length) break;
            current = n.child[bit(key, n.length)];
        }
        return best;
    }

    std::uint32_t exact(Key key, unsigned length) const {
        std::uint32_t found = longest_match(key, length);
        return found != none && nodes_[found].length == length ? found : none;
    }

    Node& operator[](std::uint32_t i) { return nodes_[i]; }
    const Node& operator[](std::uint32_t i) const { return nodes_[i]; }
    std::size_t node_count() const { return nodes_.size(); }
    std::size_t memory_bytes() const { return nodes_.capacity() * sizeof(Node); }
    void shrink() { nodes_.shrink_to_fit(); }

    static Key mask(unsigned length) { return length == 0 ? Key{0} : static_cast<Key>(~Key{0} << (width - length)); }
    static int bit(Key key, unsigned index) { return static_cast<int>((key >> (width - 1 - index)) & 1); }

private:
    static unsigned common_length(Key a, Key b, unsigned limit) {
        const Key diff = a ^ b;
        unsigned same = width;
        if constexpr (sizeof(Key) == 4) {
            if (diff != 0) same = static_cast<unsigned>(std::countl_zero(diff));
        } else {
            const auto high = static_cast<std::uint64_t>(diff >> 64);
            const auto low = static_cast<std::uint64_t>(diff);
            if (high != 0) same = static_cast<unsigned>(std::countl_zero(high));
            else if (low != 0) same = 64 + static_cast<unsigned>(std::countl_zero(low));
        }
        return std::min(same, limit);
    }

    std::uint32_t make(Key key, unsigned length) {
        if (nodes_.size() >= none - 1) throw std::length_error("route table: too many prefixes");
        Node n;
        n.key = key;
        n.length = static_cast<std::uint8_t>(length);
        nodes_.push_back(n);
        return static_cast<std::uint32_t>(nodes_.size() - 1);
    }

    void relink(std::uint32_t parent, int side, std::uint32_t node) {
        if (parent == none) root_ = node;
        else nodes_[parent].child[side] = node;
    }

    std::vector<Node> nodes_;
    std::uint32_t root_ = none;
};

constexpr std::uint32_t ipv6_bit = 0x80000000u;

}  // namespace

struct RouteTable::Tries {
    Trie<std::uint32_t> v4;
    Trie<uint128> v6;

    /// (node index | ipv6_bit) of `prefix`, inserting it.
    std::uint32_t insert(const Prefix& p) {
        if (p.family == Family::ipv4) return v4.insert(static_cast<std::uint32_t>(p.bits >> 96), p.length);
        return v6.insert(p.bits, p.length) | ipv6_bit;
    }
    std::uint32_t& value(std::uint32_t ref) { return ref & ipv6_bit ? v6[ref & ~ipv6_bit].value : v4[ref].value; }
    Prefix prefix_of(std::uint32_t ref) const {
        if (ref & ipv6_bit) {
            const auto& n = v6[ref & ~ipv6_bit];
            return Prefix{n.key, n.length, Family::ipv6};
        }
        const auto& n = v4[ref];
        return Prefix{uint128{n.key} << 96, n.length, Family::ipv4};
    }
    std::uint32_t value_of(std::uint32_t ref) const { return ref & ipv6_bit ? v6[ref & ~ipv6_bit].value : v4[ref].value; }
    std::uint32_t match(const Prefix& p, bool exact) const {
        std::uint32_t found;
        if (p.family == Family::ipv4) {
            const auto key = static_cast<std::uint32_t>(p.bits >> 96);
            found = exact ? v4.exact(key, p.length) : v4.longest_match(key, p.length);
            return found;
        }
        found = exact ? v6.exact(p.bits, p.length) : v6.longest_match(p.bits, p.length);
        return found == none ? none : found | ipv6_bit;
    }
    /// Calls visit(ref) for every node with a value.
    template <typename Visit>
    void each(Visit&& visit) const {
        for (std::uint32_t i = 0; i < v4.node_count(); ++i)
            if (v4[i].value != none) visit(i);
        for (std::uint32_t i = 0; i < v6.node_count(); ++i)
            if (v6[i].value != none) visit(i | ipv6_bit);
    }
};

std::string Origin::to_string() const {
    if (!as_set && asns.size() == 1) return asn_string(asns[0]);
    std::string out = "{";
    for (std::size_t i = 0; i < asns.size(); ++i) out += (i ? "," : "") + asn_string(asns[i]);
    return out + "}";
}

RouteTable::RouteTable() : tries_(std::make_unique<Tries>()) {}
RouteTable::~RouteTable() = default;

std::vector<Origin> RouteTable::origins_at(std::uint32_t offset) const {
    std::vector<Origin> out;
    const std::uint32_t groups = pool_[offset++];
    out.reserve(groups);
    for (std::uint32_t g = 0; g < groups; ++g) {
        Origin o;
        const std::uint32_t count = pool_[offset++];
        o.as_set = pool_[offset++] != 0;
        o.asns.assign(pool_.begin() + offset, pool_.begin() + offset + count);
        offset += count;
        out.push_back(std::move(o));
    }
    return out;
}

std::optional<Route> RouteTable::lookup(const Prefix& prefix) const {
    const std::uint32_t ref = tries_->match(prefix, false);
    if (ref == none) return std::nullopt;
    return Route{tries_->prefix_of(ref), origins_at(tries_->value_of(ref))};
}

std::optional<Route> RouteTable::exact(const Prefix& prefix) const {
    const std::uint32_t ref = tries_->match(prefix, true);
    if (ref == none) return std::nullopt;
    return Route{tries_->prefix_of(ref), origins_at(tries_->value_of(ref))};
}

std::vector<Route> RouteTable::originated_by(std::uint32_t asn) const {
    std::call_once(as_index_once_, [this] {
        tries_->each([this](std::uint32_t ref) {
            std::uint32_t offset = tries_->value_of(ref);
            const std::uint32_t groups = pool_[offset++];
            for (std::uint32_t g = 0; g < groups; ++g) {
                const std::uint32_t count = pool_[offset];
                offset += 2;
                for (std::uint32_t i = 0; i < count; ++i) as_index_.emplace_back(pool_[offset + i], ref);
                offset += count;
            }
        });
        std::sort(as_index_.begin(), as_index_.end());
        as_index_.erase(std::unique(as_index_.begin(), as_index_.end()), as_index_.end());
    });
    std::vector<Route> out;
    auto it = std::lower_bound(as_index_.begin(), as_index_.end(), std::pair<std::uint32_t, std::uint32_t>{asn, 0});
    for (; it != as_index_.end() && it->first == asn; ++it)
        out.push_back(Route{tries_->prefix_of(it->second), origins_at(tries_->value_of(it->second))});
    std::sort(out.begin(), out.end(), [](const Route& a, const Route& b) { return a.prefix < b.prefix; });
    return out;
}

void RouteTable::for_each(const std::function<void(const Prefix&, const std::vector<Origin>&)>& visit) const {
    tries_->each([&](std::uint32_t ref) { visit(tries_->prefix_of(ref), origins_at(tries_->value_of(ref))); });
}

void RouteTable::for_each_pair(const std::function<void(const Prefix&, std::uint32_t, bool)>& visit) const {
    tries_->each([&](std::uint32_t ref) {
        const Prefix p = tries_->prefix_of(ref);
        std::uint32_t offset = tries_->value_of(ref);
        const std::uint32_t groups = pool_[offset++];
        for (std::uint32_t g = 0; g < groups; ++g) {
            const std::uint32_t count = pool_[offset];
            const bool as_set = pool_[offset + 1] != 0;
            offset += 2;
            if (as_set) visit(p, 0, true);
            else visit(p, pool_[offset], false);
            offset += count;
        }
    });
}

std::size_t RouteTable::memory_bytes() const {
    return tries_->v4.memory_bytes() + tries_->v6.memory_bytes() + pool_.capacity() * sizeof(std::uint32_t) +
           as_index_.capacity() * sizeof(as_index_[0]);
}

RouteTable::Builder::Builder() : table_(new RouteTable()) {}
RouteTable::Builder::~Builder() = default;

void RouteTable::Builder::add(const Prefix& prefix, const Origin& origin) {
    if (origin.asns.empty()) return;
    RouteTable& t = *table_;
    std::uint32_t& value = t.tries_->value(t.tries_->insert(prefix));
    if (value == none) {
        value = static_cast<std::uint32_t>(t.pool_.size());
        t.pool_.push_back(1);
        ++t.size_;
    } else {
        // Seen before (another peer, another MOAS origin): keep the list unless this origin is new.
        for (const Origin& known : t.origins_at(value))
            if (known == origin) return;
        // The route's list grows in place when it ends the pool (the usual case: one prefix's
        // lines come together); else it moves to the end, leaving a few unused words behind.
        std::uint32_t offset = value;
        std::uint32_t end = offset + 1;
        for (std::uint32_t g = 0; g < t.pool_[offset]; ++g) end += 2 + t.pool_[end];
        if (end != t.pool_.size()) {
            scratch_.assign(t.pool_.begin() + offset, t.pool_.begin() + end);
            value = static_cast<std::uint32_t>(t.pool_.size());
            t.pool_.insert(t.pool_.end(), scratch_.begin(), scratch_.end());
        }
        ++t.pool_[value];
    }
    t.pool_.push_back(static_cast<std::uint32_t>(origin.asns.size()));
    t.pool_.push_back(origin.as_set ? 1 : 0);
    t.pool_.insert(t.pool_.end(), origin.asns.begin(), origin.asns.end());
}

std::shared_ptr<const RouteTable> RouteTable::Builder::finish(RouteInfo info) {
    table_->info_ = std::move(info);
    table_->tries_->v4.shrink();
    table_->tries_->v6.shrink();
    table_->pool_.shrink_to_fit();
    return std::shared_ptr<const RouteTable>(table_.release());
}

}  // namespace mamori::rpki
