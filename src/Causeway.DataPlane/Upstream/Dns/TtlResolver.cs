using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Causeway.DataPlane.Upstream.Dns;

/// <summary>
/// Resolves a name with its records' TTL (the system's resolver does not tell it): A and AAAA queries to the
/// configured DNS servers (the system's by default), the answer's addresses and the shortest TTL among them. A name the
/// servers do not answer gives no TTL (the caller falls back to the system resolver and its refresh interval).
/// </summary>
internal sealed class TtlResolver
{
    private readonly LookupClient _client;

    public TtlResolver(IReadOnlyList<IPEndPoint>? servers, TimeSpan timeout)
    {
        var options = servers is { Count: > 0 } ? new LookupClientOptions([.. servers.Select(s => new NameServer(s))]) : new LookupClientOptions();
        options.UseCache = false; // the TTL of each answer is what is asked for, not what is left of a cached one
        options.Timeout = timeout;
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = true;
        options.ContinueOnEmptyResponse = true;
        _client = new LookupClient(options);
    }

    /// <summary>The name's addresses and their shortest TTL; no addresses (and no TTL) when the servers had none.</summary>
    public async Task<(IPAddress[] Addresses, TimeSpan? Ttl)> ResolveAsync(string name, CancellationToken ct)
    {
        var v4 = _client.QueryAsync(name, QueryType.A, QueryClass.IN, ct);
        var v6 = _client.QueryAsync(name, QueryType.AAAA, QueryClass.IN, ct);
        var addresses = new List<IPAddress>();
        int? ttl = null;
        foreach (var response in await Task.WhenAll(v4, v6).ConfigureAwait(false))
        {
            if (response.HasError) continue;
            foreach (var record in response.Answers)
            {
                IPAddress? address = record switch
                {
                    ARecord a => a.Address,
                    AaaaRecord aaaa => aaaa.Address,
                    _ => null,
                };
                if (address is null) continue;
                addresses.Add(address);
                ttl = Math.Min(ttl ?? int.MaxValue, record.InitialTimeToLive);
            }
        }
        return ([.. addresses], ttl is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
    }
}
