using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Causeway.Providers.Runtime;

/// <summary>
/// Hands out addresses from a CIDR: each key (<c>namespace/name</c> of a Gateway) keeps its address for as long as
/// it is held; released addresses return to the pool. The network and (IPv4) broadcast addresses are never given.
/// Not thread-safe: the runtime calls it from its single apply loop.
/// </summary>
public sealed class AddressPool
{
    private readonly BigInteger _first;
    private readonly BigInteger _last;
    private readonly bool _v6;
    private readonly Dictionary<string, BigInteger> _byKey = new(StringComparer.Ordinal);
    private readonly SortedSet<BigInteger> _released = [];
    private BigInteger _next;

    public AddressPool(string cidr)
    {
        Cidr = cidr;
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var network) || !int.TryParse(cidr[(slash + 1)..], out var prefix))
            throw new FormatException($"address pool \"{cidr}\": expected a CIDR such as 127.10.0.0/16");
        _v6 = network.AddressFamily == AddressFamily.InterNetworkV6;
        var bits = _v6 ? 128 : 32;
        if (prefix < 0 || prefix > bits)
            throw new FormatException($"address pool \"{cidr}\": prefix length must be between 0 and {bits}");
        var size = BigInteger.One << (bits - prefix);
        var start = ToInteger(network) & ~(size - 1) & ((BigInteger.One << bits) - 1);
        if (size <= 2) { _first = start; _last = start + size - 1; }
        else { _first = start + 1; _last = _v6 ? start + size - 1 : start + size - 2; }
        _next = _first;
    }

    public string Cidr { get; }

    public bool Contains(IPAddress address)
    {
        if ((address.AddressFamily == AddressFamily.InterNetworkV6) != _v6) return false;
        var value = ToInteger(address);
        return value >= _first && value <= _last;
    }

    /// <summary>The address held by <paramref name="key"/>, allocating one if needed; null when the pool is exhausted.</summary>
    public IPAddress? Acquire(string key)
    {
        if (_byKey.TryGetValue(key, out var held)) return FromInteger(held);
        BigInteger value;
        if (_next <= _last)
        {
            value = _next;
            _next++;
        }
        else if (_released.Count > 0)
        {
            value = _released.Min;
            _released.Remove(value);
        }
        else return null;
        _byKey[key] = value;
        return FromInteger(value);
    }

    /// <summary>Releases the addresses of every key not in <paramref name="live"/>.</summary>
    public void RetainOnly(IReadOnlySet<string> live)
    {
        foreach (var key in _byKey.Keys.Where(k => !live.Contains(k)).ToList())
        {
            var value = _byKey[key];
            _byKey.Remove(key);
            _released.Add(value);
        }
    }

    private static BigInteger ToInteger(IPAddress address) =>
        new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private IPAddress FromInteger(BigInteger value)
    {
        var length = _v6 ? 16 : 4;
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return new IPAddress(padded);
    }
}
