using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;

namespace Causeway.Providers.Runtime;

/// <summary>
/// Decides which addresses each of our Gateways binds. A Gateway that asks for IPAddress values in
/// <c>spec.addresses</c> gets those that are usable on this host (loopback, inside the pool, or on a local
/// interface); one that asks for none gets a stable address from the pool (when there is one). A Gateway that asks
/// only for unusable addresses gets an empty list, which the translator reports as AddressNotUsable.
/// </summary>
internal sealed class GatewayAddressAssigner(AddressPool? pool, Func<IReadOnlySet<IPAddress>> localAddresses)
{
    public GatewayAddressAssigner(AddressPool? pool) : this(pool, LocalInterfaceAddresses) { }

    public ImmutableDictionary<string, ImmutableArray<string>> Assign(ResourceSnapshot snapshot, IReadOnlyCollection<string> controllerNames)
    {
        var ours = snapshot.GatewayClasses
            .Where(c => controllerNames.Contains(c.Spec.ControllerName))
            .Select(c => c.Name)
            .ToHashSet(StringComparer.Ordinal);
        var live = new HashSet<string>(StringComparer.Ordinal);
        var result = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        IReadOnlySet<IPAddress>? local = null;
        foreach (var gateway in snapshot.Gateways)
        {
            if (!ours.Contains(gateway.Spec.GatewayClassName)) continue;
            var key = $"{gateway.Namespace}/{gateway.Name}";
            var requested = (gateway.Spec.Addresses ?? [])
                .Where(a => a.Type is null or "IPAddress" && !string.IsNullOrEmpty(a.Value))
                .Select(a => a.Value!)
                .ToList();
            if (requested.Count > 0)
            {
                local ??= localAddresses();
                var usable = requested
                    .Select(v => IPAddress.TryParse(v, out var ip) ? ip : null)
                    .Where(ip => ip is not null && IsUsable(ip, local))
                    .Select(ip => ip!.ToString())
                    .Distinct(StringComparer.Ordinal)
                    .ToImmutableArray();
                result[key] = usable;
                continue;
            }
            if (pool is null) continue;
            live.Add(key);
            var address = pool.Acquire(key);
            if (address is not null) result[key] = [address.ToString()];
        }
        pool?.RetainOnly(live);
        return result.ToImmutable();
    }

    private bool IsUsable(IPAddress ip, IReadOnlySet<IPAddress> local) =>
        IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)
        || (pool?.Contains(ip) ?? false) || local.Contains(ip);

    private static IReadOnlySet<IPAddress> LocalInterfaceAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return new HashSet<IPAddress>();
        }
    }
}
