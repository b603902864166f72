using System.Buffers.Text;
using Causeway.DataPlane.Transports.Http2.Hpack;

namespace Causeway.DataPlane.Transports.Http2;

/// <summary>
/// The session's HPACK sink: copies one block's fields into reused storage and checks them as RFC 9113 8.2-8.3 asks
/// (lower-case names without forbidden bytes, values without NUL/CR/LF or outer whitespace, pseudo-headers first,
/// known, once each and not in trailers, no connection-specific fields, TE only "trailers", one content-length).
/// A violation makes the request malformed (a stream error); decoding goes on so HPACK stays in step.
/// </summary>
internal sealed class Http2HeaderCollector : IHpackSink
{
    private byte[] _bytes = new byte[2048];
    private int _length;
    private Field[] _fields = new Field[32];
    private bool _trailers;
    private bool _regularSeen;
    private Field _method, _scheme, _path, _authority;

    public int Count { get; private set; }
    public string? Malformed { get; private set; }
    public long ContentLength { get; private set; }

    public void Reset(bool trailers)
    {
        _trailers = trailers;
        _length = 0;
        Count = 0;
        _regularSeen = false;
        Malformed = null;
        ContentLength = -1;
        _method = _scheme = _path = _authority = Field.Absent;
    }

    public ReadOnlySpan<byte> Method => Get(_method.Value);
    public ReadOnlySpan<byte> Scheme => Get(_scheme.Value);
    public ReadOnlySpan<byte> Path => Get(_path.Value);
    public ReadOnlySpan<byte> Authority => Get(_authority.Value);
    public ReadOnlySpan<byte> Name(int index) => Get(_fields[index].Name);
    public ReadOnlySpan<byte> Value(int index) => Get(_fields[index].Value);

    /// <summary>After the block: the request-level checks (RFC 9113 8.3.1); sets <see cref="Malformed"/>.</summary>
    public void FinishRequest()
    {
        if (Malformed is not null) return;
        if (_method.Value.Length < 0) { Malformed = "missing :method"; return; }
        if (Method.SequenceEqual("CONNECT"u8))
        {
            if (_authority.Value.Length <= 0 || _scheme.Value.Length >= 0 || _path.Value.Length >= 0)
                Malformed = "CONNECT needs :authority and no :scheme or :path";
            return;
        }
        if (_scheme.Value.Length < 0) Malformed = "missing :scheme";
        else if (_path.Value.Length <= 0) Malformed = "missing or empty :path";
    }

    public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (Malformed is not null) return;
        if (name.IsEmpty) { Malformed = "empty field name"; return; }
        if (!ValidValue(value)) { Malformed = "invalid field value"; return; }
        if (name[0] == (byte)':')
        {
            if (_trailers) { Malformed = "pseudo-header in trailers"; return; }
            if (_regularSeen) { Malformed = "pseudo-header after a regular field"; return; }
            ref var slot = ref PseudoSlot(name);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot)) { Malformed = "unknown pseudo-header"; return; }
            if (slot.Value.Length >= 0) { Malformed = "duplicate pseudo-header"; return; }
            slot = new Field(default, Store(value));
            return;
        }

        _regularSeen = true;
        foreach (var b in name)
        {
            if (b <= 0x20 || b >= 0x7F || b == (byte)':' || b - (uint)'A' <= 'Z' - 'A') { Malformed = "invalid field name"; return; }
        }
        if (IsConnectionSpecific(name)) { Malformed = "connection-specific field"; return; }
        if (name.SequenceEqual("te"u8) && !value.SequenceEqual("trailers"u8)) { Malformed = "te other than trailers"; return; }
        if (!_trailers && name.SequenceEqual("content-length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0)
            { Malformed = "invalid content-length"; return; }
            if (ContentLength >= 0 && ContentLength != length) { Malformed = "conflicting content-length"; return; }
            ContentLength = length;
        }
        if (Count == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
        var n = Store(name);
        _fields[Count++] = new Field(n, Store(value));
    }

    private ref Field PseudoSlot(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual(":method"u8)) return ref _method;
        if (name.SequenceEqual(":scheme"u8)) return ref _scheme;
        if (name.SequenceEqual(":path"u8)) return ref _path;
        if (name.SequenceEqual(":authority"u8)) return ref _authority;
        return ref System.Runtime.CompilerServices.Unsafe.NullRef<Field>();
    }

    private static bool ValidValue(ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAny((byte)0, (byte)'\r', (byte)'\n') >= 0) return false;
        if (value.IsEmpty) return true;
        return value[0] is not ((byte)' ' or (byte)'\t') && value[^1] is not ((byte)' ' or (byte)'\t');
    }

    private static bool IsConnectionSpecific(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("connection"u8) || name.SequenceEqual("keep-alive"u8) || name.SequenceEqual("proxy-connection"u8)
        || name.SequenceEqual("transfer-encoding"u8) || name.SequenceEqual("upgrade"u8);

    private Range Store(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + bytes.Length));
        bytes.CopyTo(_bytes.AsSpan(_length));
        var range = new Range(_length, bytes.Length);
        _length += bytes.Length;
        return range;
    }

    private ReadOnlySpan<byte> Get(Range range) => range.Length <= 0 ? default : _bytes.AsSpan(range.Start, range.Length);

    private readonly record struct Range(int Start, int Length);

    private readonly record struct Field(Range Name, Range Value)
    {
        public static readonly Field Absent = new(new Range(0, -1), new Range(0, -1));
    }
}
