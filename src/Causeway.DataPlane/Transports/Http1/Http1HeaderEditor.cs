using System.Text;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>
/// The edits made to a parsed HTTP/1.1 head (request or response), reused per exchange: which lines are removed and
/// which lines are added, written out by whoever serialises the head.
/// </summary>
internal sealed class Http1EditState
{
    public bool[] Removed { get; private set; } = new bool[32];
    public List<(byte[] Name, byte[] Value)> Added { get; } = [];

    /// <summary>Whether any edit ran since <see cref="Reset"/> (else the head is written as parsed).</summary>
    public bool Active { get; set; }

    /// <summary>Starts from the edits of <paramref name="other"/> (made to the same head of <paramref name="lines"/> lines).</summary>
    public void CopyFrom(Http1EditState other, int lines)
    {
        Reset(lines);
        Array.Copy(other.Removed, Removed, lines);
        Added.AddRange(other.Added);
        Active = true;
    }

    public void Reset(int lines)
    {
        if (Removed.Length < lines) Removed = new bool[Math.Max(lines, Removed.Length * 2)];
        else Array.Clear(Removed, 0, lines);
        Added.Clear();
        Active = false;
    }
}

/// <summary>
/// <see cref="IHeaderEditor"/> over a parsed HTTP/1.1 head: lines of kind <see cref="HeaderKind.Forward"/> can be
/// removed (the ones the relay manages itself are never edited: such edits keep a route off the byte transports).
/// </summary>
internal struct Http1HeaderEditor : IHeaderEditor
{
    private readonly HeaderEntry[] _entries;
    private readonly int _count;
    private readonly byte[] _buffer;
    private readonly Http1EditState _state;
    private byte[]? _kept;

    public Http1HeaderEditor(HeaderEntry[] entries, int count, byte[] buffer, Http1EditState state)
    {
        _entries = entries;
        _count = count;
        _buffer = buffer;
        _state = state;
        _kept = null;
        if (!state.Active)
        {
            state.Reset(count);
            state.Active = true;
        }
    }

    public void RemoveAll(HeaderText name, bool keep)
    {
        _kept = null;
        var removed = _state.Removed;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _entries[i];
            if (e.Kind != HeaderKind.Forward || removed[i] || !Ascii.EqualsIgnoreCase(_buffer.AsSpan(e.NameStart, e.NameLength), name.Bytes))
                continue;
            if (keep) _kept = Join(_kept, _buffer.AsSpan(e.ValueStart, e.ValueLength));
            removed[i] = true;
        }
        var added = _state.Added;
        for (var j = 0; j < added.Count; j++)
        {
            if (!Ascii.EqualsIgnoreCase(added[j].Name, name.Bytes)) continue;
            if (keep) _kept = Join(_kept, added[j].Value);
            added.RemoveAt(j--);
        }
    }

    public void Add(HeaderText name, HeaderText value, bool afterKept) =>
        _state.Added.Add((name.Bytes, afterKept && _kept is not null ? [.. _kept, (byte)',', .. value.Bytes] : value.Bytes));

    public readonly bool Has(HeaderText name)
    {
        var removed = _state.Removed;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _entries[i];
            if (!removed[i] && Ascii.EqualsIgnoreCase(_buffer.AsSpan(e.NameStart, e.NameLength), name.Bytes)) return true;
        }
        foreach (var (n, _) in _state.Added)
            if (Ascii.EqualsIgnoreCase(n, name.Bytes)) return true;
        return false;
    }

    public void RemoveMatching(HeaderNameMatch match)
    {
        _kept = null;
        var removed = _state.Removed;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _entries[i];
            if (e.Kind == HeaderKind.Forward && !removed[i] && match.Removes(_buffer.AsSpan(e.NameStart, e.NameLength))) removed[i] = true;
        }
        var added = _state.Added;
        for (var j = 0; j < added.Count; j++)
            if (match.Removes(added[j].Name)) added.RemoveAt(j--);
    }

    private static byte[] Join(byte[]? kept, ReadOnlySpan<byte> value) => kept is null ? value.ToArray() : [.. kept, (byte)',', .. value];
}
