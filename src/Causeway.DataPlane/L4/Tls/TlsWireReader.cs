using System.Buffers.Binary;

namespace Causeway.DataPlane.L4.Tls;

/// <summary>
/// Reads TLS handshake structures (RFC 8446 §3: big-endian integers, vectors with 1- or 2-byte lengths) with every
/// length checked against the bytes present; each call is false, consuming nothing useful, when they run out. Used by
/// the ClientHello parser (SNI, ALPN) and the JA3/JA4 fingerprints.
/// </summary>
internal ref struct TlsWireReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    public readonly int Remaining => _data.Length;

    public bool Skip(int n) => Take(n, out _);

    public bool ReadByte(out byte b)
    {
        b = 0;
        if (_data.Length < 1) return false;
        b = _data[0];
        _data = _data[1..];
        return true;
    }

    public bool ReadUInt16(out ushort v)
    {
        v = 0;
        if (_data.Length < 2) return false;
        v = BinaryPrimitives.ReadUInt16BigEndian(_data);
        _data = _data[2..];
        return true;
    }

    public bool Take(int n, out ReadOnlySpan<byte> v)
    {
        v = default;
        if (_data.Length < n) return false;
        v = _data[..n];
        _data = _data[n..];
        return true;
    }

    public bool ReadVector8(out ReadOnlySpan<byte> v)
    {
        v = default;
        return ReadByte(out var n) && Take(n, out v);
    }

    public bool ReadVector16(out ReadOnlySpan<byte> v)
    {
        v = default;
        return ReadUInt16(out var n) && Take(n, out v);
    }

    public bool SkipVector8() => ReadVector8(out _);

    public bool SkipVector16() => ReadVector16(out _);
}
