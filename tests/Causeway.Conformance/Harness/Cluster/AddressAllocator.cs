using System.Net;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>Hands out distinct addresses from an IPv4 CIDR (never reused within one run). Thread-safe.</summary>
public sealed class AddressAllocator
{
    private readonly uint _first;
    private readonly uint _last;
    private long _next;

    public AddressAllocator(string cidr)
    {
        var slash = cidr.IndexOf('/');
        var bytes = IPAddress.Parse(cidr[..slash]).GetAddressBytes();
        var prefix = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var baseAddr = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        _first = (baseAddr & mask) + 2;
        _last = (baseAddr & mask) + ~mask - 1;
        _next = _first;
    }

    public IPAddress Next()
    {
        var n = Interlocked.Increment(ref _next) - 1;
        if (n > _last) throw new InvalidOperationException("address pool exhausted");
        var v = (uint)n;
        return new IPAddress([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
    }
}
