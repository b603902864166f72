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
    private readonly Lazy<LookupClient> _client;

    /// <param name="timeout">The whole resolution's bound: the servers get a third of it, so the system resolver has the rest.</param>
    public TtlResolver(IReadOnlyList<IPEndPoint>? servers, TimeSpan timeout)
    {
        // Made on first use: a data plane without TTL-respecting backends never reads the system's name servers.
        _client = new Lazy<LookupClient>(() =>
        {
            var options = servers is { Count: > 0 } ? new LookupClientOptions([.. servers.Select(s => new NameServer(s))]) : new LookupClientOptions();
            options.UseCache = false; // the TTL of each answer is what is asked for, not what is left of a cached one
            options.Timeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, timeout.Ticks / 3));
            options.Retries = 0;
            options.ThrowDnsErrors = false;
            options.ContinueOnDnsError = true;
            options.ContinueOnEmptyResponse = true;
            return new LookupClient(options);
        });
    }

    /// <summary>The name's addresses and their shortest TTL; no addresses (and no TTL) when the servers had none.</summary>
    public async Task<(IPAddress[] Addresses, TimeSpan? Ttl)> ResolveAsync(string name, CancellationToken ct)
    {
        var client = _client.Value;
        var v4 = client.QueryAsync(name, QueryType.A, QueryClass.IN, ct);
        var v6 = client.QueryAsync(name, QueryType.AAAA, QueryClass.IN, ct);
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
