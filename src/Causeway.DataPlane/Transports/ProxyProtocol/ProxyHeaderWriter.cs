using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Transports.ProxyProtocol;

/// <summary>
/// Builds the PROXY protocol header (v1 text or v2 binary, haproxy's proxy-protocol.txt) the gateway writes first on a
/// backend connection (BackendTrafficPolicy <c>proxyProtocol</c>): the source is the client's address, the
/// destination the gateway address the client connected to. IPv4-mapped IPv6 addresses are written as IPv4 when both
/// are. Addresses of different or non-IP families give v1 <c>UNKNOWN</c> and a v2 <c>LOCAL</c> header (the backend
/// then takes the connection's own peer), as for health checks. The counterpart of <see cref="ProxyHeaderParser"/>.
/// </summary>
internal static class ProxyHeaderWriter
{
    private static ReadOnlySpan<byte> V2Signature => "\r\n\r\n\0\r\nQUIT\n"u8;

    public static byte[] Build(BackendProxyProtocolVersion version, EndPoint? source, EndPoint? destination)
    {
        var (src, dst) = Normalise(source as IPEndPoint, destination as IPEndPoint);
        return version == BackendProxyProtocolVersion.V1 ? V1(src, dst) : V2(src, dst);
    }

    private static (IPEndPoint? Source, IPEndPoint? Destination) Normalise(IPEndPoint? src, IPEndPoint? dst)
    {
        if (src is null || dst is null) return (null, null);
        if (src.Address.IsIPv4MappedToIPv6 && (dst.Address.IsIPv4MappedToIPv6 || dst.AddressFamily == AddressFamily.InterNetwork))
            src = new IPEndPoint(src.Address.MapToIPv4(), src.Port);
        if (dst.Address.IsIPv4MappedToIPv6 && src.AddressFamily == AddressFamily.InterNetwork)
            dst = new IPEndPoint(dst.Address.MapToIPv4(), dst.Port);
        if (src.AddressFamily != dst.AddressFamily) return (null, null);
        if (src.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)) return (null, null);
        // Scope ids are local to this host: the header carries the bare address.
        if (src.AddressFamily == AddressFamily.InterNetworkV6 && src.Address.ScopeId != 0) src = new IPEndPoint(new IPAddress(src.Address.GetAddressBytes()), src.Port);
        if (dst.AddressFamily == AddressFamily.InterNetworkV6 && dst.Address.ScopeId != 0) dst = new IPEndPoint(new IPAddress(dst.Address.GetAddressBytes()), dst.Port);
        return (src, dst);
    }

    private static byte[] V1(IPEndPoint? src, IPEndPoint? dst)
    {
        if (src is null || dst is null) return "PROXY UNKNOWN\r\n"u8.ToArray();
        var family = src.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        var line = string.Create(CultureInfo.InvariantCulture, $"PROXY {family} {src.Address} {dst.Address} {src.Port} {dst.Port}\r\n");
        return Encoding.ASCII.GetBytes(line);
    }

    private static byte[] V2(IPEndPoint? src, IPEndPoint? dst)
    {
        if (src is null || dst is null)
        {
            var local = new byte[16];
            V2Signature.CopyTo(local);
            local[12] = 0x20; // version 2, LOCAL
            local[13] = 0x00; // AF_UNSPEC
            return local;
        }
        var v4 = src.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = v4 ? 4 : 16;
        var length = 2 * addressLength + 4;
        var header = new byte[16 + length];
        V2Signature.CopyTo(header);
        header[12] = 0x21; // version 2, PROXY
        header[13] = (byte)(v4 ? 0x11 : 0x21); // TCP over IPv4 / IPv6
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)length);
        src.Address.TryWriteBytes(header.AsSpan(16, addressLength), out _);
        dst.Address.TryWriteBytes(header.AsSpan(16 + addressLength, addressLength), out _);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + 2 * addressLength), (ushort)src.Port);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + 2 * addressLength), (ushort)dst.Port);
        return header;
    }
}
