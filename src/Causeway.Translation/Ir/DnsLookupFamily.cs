namespace Causeway.Translation.Ir;

/// <summary>
/// BackendTrafficPolicy <c>dns.lookupFamily</c>: which addresses of a DNS-named backend endpoint become endpoints.
/// Without one, <see cref="IPv4Preferred"/>.
/// </summary>
public enum DnsLookupFamily
{
    /// <summary>IPv4 addresses only (a name without one has no endpoint).</summary>
    IPv4,
    /// <summary>IPv6 addresses only (a name without one has no endpoint).</summary>
    IPv6,
    /// <summary>IPv4 addresses when the name has any, else IPv6 ones.</summary>
    IPv4Preferred,
    /// <summary>IPv6 addresses when the name has any, else IPv4 ones.</summary>
    IPv6Preferred,
    /// <summary>Every address, both families.</summary>
    IPv4AndIPv6,
}
