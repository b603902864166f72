namespace Causeway.DataPlane.Routing;

/// <summary>
/// A compact string-keyed hash table for the routing hot path: open addressing over one array of slots (hash, key
/// position, tag and value side by side) with every key's characters in one shared array. A lookup reads one slot
/// and then the key and the value, which lie in two dense arrays, where a <see cref="Dictionary{TKey,TValue}"/> reads
/// its bucket array, then its entry, then the key string wherever it was allocated: with thousands of hosts those are
/// cache misses one after the other, on every request. The tag (small integer) keeps several kinds of key apart in
/// one table (exact and prefix paths; exact and wildcard hosts). Keys are compared ordinally or, with
/// <c>ignoreCase</c>, as <see cref="StringComparison.OrdinalIgnoreCase"/>. The first value added for a key wins.
/// A struct kept in a field of its owner (one hop less); not thread-safe while adding, lookups allocate nothing.
/// </summary>
internal struct SpanTable<T> where T : class
{
    private readonly bool _ignoreCase;
    private Slot[] _slots;
    private char[] _keys;
    private int _keyEnd;
    private int _count;

    public SpanTable(bool ignoreCase)
    {
        _ignoreCase = ignoreCase;
        _slots = new Slot[4];
        _keys = new char[32];
    }

    public readonly int Count => _count;

    /// <summary>Adds <paramref name="key"/> under <paramref name="tag"/> unless it is there already; true when added.</summary>
    public bool TryAdd(int tag, ReadOnlySpan<char> key, T value)
    {
        var hash = Hash(tag, key);
        if (FindSlot(tag, key, hash) >= 0) return false;
        if ((_count + 1) * 2 > _slots.Length) Grow();
        if (_keyEnd + key.Length > _keys.Length) Array.Resize(ref _keys, Math.Max(_keys.Length * 2, _keyEnd + key.Length));
        key.CopyTo(_keys.AsSpan(_keyEnd));
        Insert(new Slot { Hash = hash, KeyStart = _keyEnd, KeyLength = key.Length, Tag = tag, Value = value });
        _keyEnd += key.Length;
        _count++;
        return true;
    }

    public readonly bool TryGetValue(int tag, ReadOnlySpan<char> key, out T value)
    {
        var i = FindSlot(tag, key, Hash(tag, key));
        if (i < 0)
        {
            value = null!;
            return false;
        }
        value = _slots[i].Value!;
        return true;
    }

    private readonly int FindSlot(int tag, ReadOnlySpan<char> key, int hash)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var s = ref slots[i];
            if (s.Hash == 0) return -1;
            if (s.Hash == hash && s.Tag == tag && s.KeyLength == key.Length && KeyEquals(_keys.AsSpan(s.KeyStart, s.KeyLength), key)) return i;
        }
    }

    private readonly bool KeyEquals(ReadOnlySpan<char> stored, ReadOnlySpan<char> key) =>
        _ignoreCase ? stored.Equals(key, StringComparison.OrdinalIgnoreCase) : stored.SequenceEqual(key);

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        foreach (var s in old)
        {
            if (s.Hash != 0) Insert(s);
        }
    }

    private readonly void Insert(Slot slot)
    {
        var mask = _slots.Length - 1;
        var i = slot.Hash & mask;
        while (_slots[i].Hash != 0) i = (i + 1) & mask;
        _slots[i] = slot;
    }

    /// <summary>
    /// FNV-1a over the characters, then a final mix; the top bit is always set, so never 0 (the empty slot). Case-insensitively, ASCII letters are
    /// folded and every other non-ASCII character counts the same: OrdinalIgnoreCase never equates an ASCII character
    /// with a non-ASCII one, so equal keys always hash alike.
    /// </summary>
    private readonly int Hash(int tag, ReadOnlySpan<char> key)
    {
        var h = 2166136261u ^ (uint)tag;
        if (_ignoreCase)
        {
            foreach (var c in key)
            {
                uint v = c < 0x80 ? (c is >= 'A' and <= 'Z' ? (uint)c | 0x20u : c) : 0x80u;
                h = (h ^ v) * 16777619u;
            }
        }
        else
        {
            foreach (var c in key) h = (h ^ c) * 16777619u;
        }
        h ^= h >> 15;
        h *= 0x2c1b3c6du;
        h ^= h >> 12;
        return (int)(h | 0x8000_0000u);
    }

    private struct Slot
    {
        public int Hash;
        public int KeyStart;
        public int KeyLength;
        public int Tag;
        public T? Value;
    }
}
