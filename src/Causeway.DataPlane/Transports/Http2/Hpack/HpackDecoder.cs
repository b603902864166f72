namespace Causeway.DataPlane.Transports.Http2.Hpack;

/// <summary>
/// An RFC 7541 header block decoder: static and dynamic table, size updates, integers, literals and Huffman strings,
/// and the maximum header list size. The dynamic table is one byte ring (names and values copied in, evicted oldest
/// first) plus a ring of entry positions: inserting and evicting allocate nothing. Fields go to an
/// <see cref="IHpackSink"/> as spans; errors are results, not exceptions. One decoder per connection, one thread.
/// </summary>
internal sealed class HpackDecoder
{
    private const int EntryOverhead = 32;

    private readonly int _maxHeaderListSize;
    private byte[] _ring = [];
    private Entry[] _entries = [];
    private int _newest = -1;   // index in _entries of the newest entry
    private int _count;         // entries in the table
    private int _size;          // RFC 7541 size: names + values + 32 per entry
    private int _byteEnd;       // where the next entry's bytes start in _ring
    private int _maxSize;       // the current maximum (the last size update)
    private int _allowedMaxSize;

    private byte[] _huffmanName = new byte[256];
    private byte[] _huffmanValue = new byte[1024];
    private byte[] _nameCopy = new byte[256];
    private byte[] _entryCopy = [];

    /// <summary>A decoder whose table may grow to <paramref name="maxTableSize"/> (SETTINGS_HEADER_TABLE_SIZE).</summary>
    /// <param name="maxTableSize">The table size the peer may use; the table starts at this size (RFC 7541 4.2).</param>
    /// <param name="maxHeaderListSize">The most bytes of fields (name + value + 32 each) one block may carry.</param>
    public HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = 16 * 1024)
    {
        _maxHeaderListSize = maxHeaderListSize;
        AllowedMaxTableSize = maxTableSize;
        _maxSize = maxTableSize;
    }

    /// <summary>
    /// The largest table size an update may ask for (the SETTINGS_HEADER_TABLE_SIZE we advertised and the peer
    /// acknowledged). Lowering it below the current size evicts entries.
    /// </summary>
    public int AllowedMaxTableSize
    {
        get => _allowedMaxSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _allowedMaxSize = value;
            if (_maxSize > value) SetMaxSize(value);
            if (_ring.Length < value) Grow(value);
        }
    }

    /// <summary>The dynamic table's current size in RFC 7541 terms (for tests).</summary>
    public int TableSize => _size;

    /// <summary>Entries in the dynamic table (for tests).</summary>
    public int TableCount => _count;

    /// <summary>Decodes one complete header block, delivering each field to <paramref name="sink"/>.</summary>
    public HpackStatus Decode<TSink>(ReadOnlySpan<byte> block, TSink sink) where TSink : IHpackSink
    {
        var pos = 0;
        var listSize = 0L;
        var tooLarge = false;
        var fieldsSeen = false;
        while (pos < block.Length)
        {
            var b = block[pos];
            ReadOnlySpan<byte> name, value;
            if ((b & 0x80) != 0)
            {
                // Indexed field (6.1).
                if (!TryReadInteger(block, ref pos, 7, out var index) || index == 0) return HpackStatus.CompressionError;
                if (!TryGet(index, out name, out value)) return HpackStatus.CompressionError;
            }
            else if ((b & 0xE0) == 0x20)
            {
                // Dynamic table size update (6.3): only before the first field of a block.
                if (fieldsSeen || !TryReadInteger(block, ref pos, 5, out var newSize) || newSize > _allowedMaxSize)
                    return HpackStatus.CompressionError;
                SetMaxSize(newSize);
                continue;
            }
            else
            {
                // Literal (6.2): with incremental indexing (01), without indexing (0000) or never indexed (0001).
                var indexing = (b & 0xC0) == 0x40;
                var prefix = indexing ? 6 : 4;
                if (!TryReadInteger(block, ref pos, prefix, out var nameIndex)) return HpackStatus.CompressionError;
                if (nameIndex == 0)
                {
                    if (!TryReadString(block, ref pos, ref _huffmanName, out name)) return HpackStatus.CompressionError;
                }
                else
                {
                    if (!TryGet(nameIndex, out name, out _)) return HpackStatus.CompressionError;
                    if (indexing && nameIndex > HpackStaticTable.Count)
                    {
                        // The name lives in the table this insertion may evict: copy it out first.
                        if (_nameCopy.Length < name.Length) _nameCopy = new byte[Math.Max(name.Length, _nameCopy.Length * 2)];
                        name.CopyTo(_nameCopy);
                        name = _nameCopy.AsSpan(0, name.Length);
                    }
                }
                if (!TryReadString(block, ref pos, ref _huffmanValue, out value)) return HpackStatus.CompressionError;
                if (indexing) Insert(name, value);
            }

            fieldsSeen = true;
            listSize += name.Length + value.Length + EntryOverhead;
            if (listSize > _maxHeaderListSize) tooLarge = true;
            if (!tooLarge) sink.OnField(name, value);
        }
        return tooLarge ? HpackStatus.HeaderListTooLarge : HpackStatus.Ok;
    }

    /// <summary>Reads an integer with an N-bit prefix (RFC 7541 5.1); false when truncated or above 2^30.</summary>
    internal static bool TryReadInteger(ReadOnlySpan<byte> block, scoped ref int pos, int prefixBits, out int value)
    {
        value = 0;
        if (pos >= block.Length) return false;
        var max = (1 << prefixBits) - 1;
        var v = block[pos++] & max;
        if (v < max)
        {
            value = v;
            return true;
        }
        var shift = 0;
        long result = v;
        while (true)
        {
            if (pos >= block.Length || shift > 28) return false;
            var b = block[pos++];
            result += (long)(b & 0x7F) << shift;
            if (result > 1 << 30) return false;
            shift += 7;
            if ((b & 0x80) == 0) break;
        }
        value = (int)result;
        return true;
    }

    private static bool TryReadString(ReadOnlySpan<byte> block, scoped ref int pos, scoped ref byte[] huffmanBuffer, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (pos >= block.Length) return false;
        var huffman = (block[pos] & 0x80) != 0;
        if (!TryReadInteger(block, ref pos, 7, out var length) || length > block.Length - pos) return false;
        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            text = raw;
            return true;
        }
        var max = HpackHuffman.MaxDecodedLength(length);
        if (huffmanBuffer.Length < max) huffmanBuffer = new byte[Math.Max(max, huffmanBuffer.Length * 2)];
        var written = HpackHuffman.Decode(raw, huffmanBuffer);
        if (written < 0) return false;
        text = huffmanBuffer.AsSpan(0, written);
        return true;
    }

    private bool TryGet(int index, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (index <= HpackStaticTable.Count)
        {
            name = HpackStaticTable.Name(index);
            value = HpackStaticTable.Value(index);
            return true;
        }
        var age = index - HpackStaticTable.Count - 1; // 0 = newest
        if (age >= _count)
        {
            name = value = default;
            return false;
        }
        var slot = _newest - age;
        if (slot < 0) slot += _entries.Length;
        var e = _entries[slot];
        var length = e.NameLength + e.ValueLength;
        if (e.Start + length <= _ring.Length)
        {
            name = _ring.AsSpan(e.Start, e.NameLength);
            value = _ring.AsSpan(e.Start + e.NameLength, e.ValueLength);
            return true;
        }
        // The entry wraps around the ring's end: join its two pieces.
        var first = _ring.Length - e.Start;
        _ring.AsSpan(e.Start, first).CopyTo(_entryCopy);
        _ring.AsSpan(0, length - first).CopyTo(_entryCopy.AsSpan(first));
        name = _entryCopy.AsSpan(0, e.NameLength);
        value = _entryCopy.AsSpan(e.NameLength, e.ValueLength);
        return true;
    }

    private void Insert(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var entrySize = name.Length + value.Length + EntryOverhead;
        if (entrySize > _maxSize)
        {
            // RFC 7541 4.4: an entry larger than the table empties it and is not added.
            _count = 0;
            _size = 0;
            return;
        }
        while (_size + entrySize > _maxSize) EvictOldest();

        var slot = _newest + 1;
        if (slot == _entries.Length) slot = 0;
        var start = _byteEnd;
        Write(name);
        Write(value);
        _entries[slot] = new Entry(start, name.Length, value.Length);
        _newest = slot;
        _count++;
        _size += entrySize;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        var room = _ring.Length - _byteEnd;
        if (bytes.Length <= room)
        {
            bytes.CopyTo(_ring.AsSpan(_byteEnd));
            _byteEnd += bytes.Length;
            if (_byteEnd == _ring.Length) _byteEnd = 0;
            return;
        }
        bytes[..room].CopyTo(_ring.AsSpan(_byteEnd));
        bytes[room..].CopyTo(_ring);
        _byteEnd = bytes.Length - room;
    }

    private void EvictOldest()
    {
        var slot = _newest - (_count - 1);
        if (slot < 0) slot += _entries.Length;
        var e = _entries[slot];
        _size -= e.NameLength + e.ValueLength + EntryOverhead;
        _count--;
    }

    private void SetMaxSize(int size)
    {
        _maxSize = size;
        while (_size > _maxSize) EvictOldest();
    }

    // Grows the ring (and the entry ring) to hold a table of maxSize bytes, keeping the entries.
    private void Grow(int maxSize)
    {
        var ring = new byte[maxSize];
        var entries = new Entry[maxSize / EntryOverhead + 1];
        var at = 0;
        for (var age = _count - 1; age >= 0; age--)
        {
            TryGet(HpackStaticTable.Count + 1 + age, out var name, out var value);
            var index = _count - 1 - age;
            entries[index] = new Entry(at, name.Length, value.Length);
            name.CopyTo(ring.AsSpan(at));
            value.CopyTo(ring.AsSpan(at + name.Length));
            at += name.Length + value.Length;
        }
        _ring = ring;
        _entries = entries;
        _entryCopy = new byte[maxSize];
        _newest = _count - 1;
        _byteEnd = at == ring.Length ? 0 : at;
    }

    private readonly record struct Entry(int Start, int NameLength, int ValueLength);
}
