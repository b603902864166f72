using System.Buffers.Binary;
using System.Text;

namespace Causeway.DataPlane.L4.Tls;

internal enum ClientHelloStatus
{
    /// <summary>More bytes are needed.</summary>
    Incomplete,
    /// <summary>A full ClientHello was parsed (the SNI may still be absent).</summary>
    Complete,
    /// <summary>Not a TLS ClientHello (or malformed): refuse.</summary>
    Invalid,
}

/// <summary>
/// Extracts the server_name from a TLS ClientHello without terminating TLS. The handshake message may span several
/// TLS records; every length is bounds-checked against the data present.
/// </summary>
internal static class ClientHelloParser
{
    private const byte HandshakeRecord = 22;
    private const byte ClientHelloType = 1;
    private const int RecordHeader = 5;
    private const int MaxRecordLength = 16384 + 2048;
    private const ushort ServerNameExtension = 0;

    /// <param name="data">Bytes read from the client so far.</param>
    /// <param name="maxHandshakeBytes">Upper bound of the ClientHello handshake message.</param>
    /// <param name="serverName">The SNI host name (lower case, no trailing dot), or null when absent.</param>
    public static ClientHelloStatus TryParse(ReadOnlySpan<byte> data, int maxHandshakeBytes, out string? serverName) =>
        TryParse(data, maxHandshakeBytes, out serverName, out _);

    /// <param name="offersH2">The ClientHello's ALPN extension lists h2.</param>
    public static ClientHelloStatus TryParse(ReadOnlySpan<byte> data, int maxHandshakeBytes, out string? serverName, out bool offersH2) =>
        TryParse(data, maxHandshakeBytes, out serverName, out offersH2, out _);

    /// <param name="body">The ClientHello message's body (after its 4-byte header), reassembled from its records.</param>
    public static ClientHelloStatus TryParse(ReadOnlySpan<byte> data, int maxHandshakeBytes, out string? serverName, out bool offersH2,
        out ReadOnlySpan<byte> body)
    {
        serverName = null;
        offersH2 = false;
        body = default;
        // Fast path: the whole handshake message in the first record (the usual case) needs no copy.
        byte[]? assembled = null;
        var assembledLength = 0;
        var offset = 0;
        var needed = -1; // total handshake message length, once its header is known
        ReadOnlySpan<byte> handshake = default;
        while (true)
        {
            if (data.Length - offset < RecordHeader) return ClientHelloStatus.Incomplete;
            if (data[offset] != HandshakeRecord || data[offset + 1] != 3) return ClientHelloStatus.Invalid;
            int recordLength = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(offset + 3, 2));
            if (recordLength == 0 || recordLength > MaxRecordLength) return ClientHelloStatus.Invalid;
            if (data.Length - offset - RecordHeader < recordLength) return ClientHelloStatus.Incomplete;
            var fragment = data.Slice(offset + RecordHeader, recordLength);
            offset += RecordHeader + recordLength;

            if (assembled is null && needed < 0 && fragment.Length >= 4)
            {
                if (fragment[0] != ClientHelloType) return ClientHelloStatus.Invalid;
                needed = 4 + ReadUInt24(fragment.Slice(1));
                if (needed > maxHandshakeBytes) return ClientHelloStatus.Invalid;
                if (fragment.Length >= needed) { handshake = fragment[..needed]; break; }
            }
            assembled ??= new byte[Math.Min(maxHandshakeBytes, data.Length)];
            var take = Math.Min(fragment.Length, assembled.Length - assembledLength);
            fragment[..take].CopyTo(assembled.AsSpan(assembledLength));
            assembledLength += take;
            if (needed < 0 && assembledLength >= 4)
            {
                if (assembled[0] != ClientHelloType) return ClientHelloStatus.Invalid;
                needed = 4 + ReadUInt24(assembled.AsSpan(1));
                if (needed > maxHandshakeBytes) return ClientHelloStatus.Invalid;
            }
            if (needed >= 0 && assembledLength >= needed)
            {
                handshake = assembled.AsSpan(0, needed);
                break;
            }
            if (take < fragment.Length) return ClientHelloStatus.Invalid; // would exceed the bound
        }
        body = handshake[4..];
        return ParseClientHello(body, out serverName, out offersH2);
    }

    private const ushort AlpnExtension = 16;

    private static ClientHelloStatus ParseClientHello(ReadOnlySpan<byte> body, out string? serverName, out bool offersH2)
    {
        serverName = null;
        offersH2 = false;
        var r = new TlsWireReader(body);
        if (!r.Skip(2 + 32)) return ClientHelloStatus.Invalid; // legacy_version, random
        if (!r.SkipVector8() || !r.SkipVector16() || !r.SkipVector8()) return ClientHelloStatus.Invalid; // session id, suites, compression
        if (r.Remaining == 0) return ClientHelloStatus.Complete; // no extensions at all
        if (!r.ReadVector16(out var extensions)) return ClientHelloStatus.Invalid;
        var e = new TlsWireReader(extensions);
        while (e.Remaining > 0)
        {
            if (!e.ReadUInt16(out var type) || !e.ReadVector16(out var ext)) return ClientHelloStatus.Invalid;
            if (type == AlpnExtension)
            {
                var a = new TlsWireReader(ext);
                if (!a.ReadVector16(out var protocols)) return ClientHelloStatus.Invalid;
                var p = new TlsWireReader(protocols);
                while (p.Remaining > 0)
                {
                    if (!p.ReadByte(out var n) || !p.Take(n, out var name)) return ClientHelloStatus.Invalid;
                    if (name.SequenceEqual("h2"u8)) offersH2 = true;
                }
                continue;
            }
            if (type != ServerNameExtension || serverName is not null) continue;
            var s = new TlsWireReader(ext);
            if (!s.ReadVector16(out var list)) return ClientHelloStatus.Invalid;
            var l = new TlsWireReader(list);
            while (l.Remaining > 0)
            {
                if (!l.ReadByte(out var nameType) || !l.ReadVector16(out var name)) return ClientHelloStatus.Invalid;
                if (nameType != 0) continue;
                if (name.Length == 0 || name.Length > 255) return ClientHelloStatus.Invalid;
                foreach (var c in name)
                    if (c <= 0x20 || c >= 0x7f) return ClientHelloStatus.Invalid;
                serverName = HostnameMatcher.Normalize(Encoding.ASCII.GetString(name));
                break;
            }
        }
        return ClientHelloStatus.Complete;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> s) => (s[0] << 16) | (s[1] << 8) | s[2];
}
