using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// The ClientTrafficPolicies of one translation: each compiled once, attached by <see cref="PolicyAttachment{TPolicy}"/>,
/// and applied to listeners: ListenerSet listener (sectionName) &gt; ListenerSet &gt; Gateway listener (sectionName)
/// &gt; Gateway, the most specific wins whole. Connection-level settings belong to the port (one socket serves every
/// listener on it): the port takes those of its first listener in the Gateway's order, and a policy whose
/// connection-level settings a shared port cannot honour gets a warning saying which listener's apply instead.
/// </summary>
internal sealed class ClientTrafficPolicies
{
    /// <summary>The kinds a ClientTrafficPolicy may target (its CRD's CEL rules).</summary>
    public static readonly IReadOnlySet<string> AllowedKinds = new HashSet<string>(StringComparer.Ordinal) { "Gateway", "ListenerSet" };

    private readonly Dictionary<ObjectKey, (ClientTrafficPolicy Policy, CompiledClientTrafficPolicy Compiled)> _policies = [];
    private readonly Dictionary<ObjectKey, SortedSet<string>> _listenerWarnings = [];

    public ClientTrafficPolicies(ResourceSnapshot s, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        foreach (var p in s.ClientTrafficPolicies) _policies[p.Key] = (p, ClientTrafficPolicyCompiler.Compile(p, s));
        Attachment = new PolicyAttachment<ClientTrafficPolicy>(s.ClientTrafficPolicies, s, AllowedKinds,
            p => _policies[p.Key].Compiled is { Errors.Count: > 0, RefusesClients: false }, namespaceLabels);
    }

    public PolicyAttachment<ClientTrafficPolicy> Attachment { get; }

    public (ClientTrafficPolicy Policy, CompiledClientTrafficPolicy Compiled) Get(ObjectKey key) => _policies[key];

    /// <summary>The policy's warnings: its own fields, then what its listeners could not honour.</summary>
    public IReadOnlyList<string> Warnings(ObjectKey key)
    {
        var own = _policies[key].Compiled.Warnings;
        return _listenerWarnings.TryGetValue(key, out var more) ? [.. own, .. more] : own;
    }

    /// <summary>The effective policy of listener <paramref name="l"/>, or null.</summary>
    public CompiledClientTrafficPolicy? For(ListenerContext l)
    {
        if (_policies.Count == 0) return null;
        var gw = l.Gateway;
        var list = new List<PolicyTarget>(4);
        if (l.ListenerSet is { } ls)
        {
            list.Add(new PolicyTarget("ListenerSet", ls.Namespace, ls.Name, l.Name));
            list.Add(new PolicyTarget("ListenerSet", ls.Namespace, ls.Name, null));
        }
        else
        {
            list.Add(new PolicyTarget("Gateway", gw.Namespace, gw.Name, l.Name));
        }
        list.Add(new PolicyTarget("Gateway", gw.Namespace, gw.Name, null));
        if (Attachment.Effective(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), l.IrName, out _) is not { } winner)
            return null;
        var compiled = _policies[winner.Policy.Key].Compiled;
        if ((compiled.Listener.Tls is not null || compiled.ClientValidation is not null) && l.Spec.Protocol != "HTTPS")
            Warn(winner.Policy.Key, $"spec.tls: not applied to {l.Spec.Protocol} listener {l.IrName} (HTTPS listeners only)");
        else if (compiled.ClientValidation is not null && l.ClientValidation is not null)
            Warn(winner.Policy.Key, $"spec.tls.clientValidation: listener {l.IrName} also has the Gateway's spec.tls.frontend validation; the policy's applies");
        return compiled;
    }

    /// <summary>
    /// What listener <paramref name="l"/> serves of its effective policy <paramref name="p"/>, given the routes attached
    /// to it: <c>http1.http10.useDefaultHost</c> becomes the listener's non-wildcard hostname, else the non-wildcard
    /// hostname of the only HTTPRoute that has some (the first it lists); without either it is warned and left out.
    /// </summary>
    public ClientTrafficIr ForListener(CompiledClientTrafficPolicy p, ListenerContext l, IEnumerable<(Route Route, IReadOnlyList<string> Hostnames)> routes)
    {
        if (!p.UseDefaultHost) return p.Listener;
        if (l.Spec.Hostname is { Length: > 0 } own && !own.StartsWith('*')) return p.Listener with { Http10DefaultHost = own.ToLowerInvariant() };
        var named = routes.Where(r => r.Route is HttpRoute).Select(r => r.Hostnames.FirstOrDefault(h => !h.StartsWith('*'))).Where(h => h is not null).ToList();
        if (named.Count == 1) return p.Listener with { Http10DefaultHost = named[0]!.ToLowerInvariant() };
        Warn(Key(p), $"spec.http1.http10.useDefaultHost: listener {l.IrName} has no hostname of its own and "
            + (named.Count == 0 ? "no HTTPRoute with a non-wildcard hostname" : $"{named.Count} HTTPRoutes with non-wildcard hostnames")
            + ", so HTTP/1.0 requests without Host get none there");
        return p.Listener;
    }

    /// <summary>
    /// The connection-level settings of a port whose listeners (in the Gateway's order) have the effective policies
    /// <paramref name="listeners"/>: the first listener's; every policy whose settings differ from them is warned.
    /// </summary>
    public ClientConnectionIr? ForPort(int port, IReadOnlyList<(ListenerContext Listener, CompiledClientTrafficPolicy? Policy)> listeners)
    {
        if (listeners.Count == 0) return null;
        var (first, chosen) = listeners[0];
        var connection = chosen?.Connection;
        foreach (var (l, p) in listeners.Skip(1))
        {
            if (Equals(p?.Connection, connection)) continue;
            var source = chosen is null ? "none" : $"ClientTrafficPolicy {chosen.Listener.Policy}";
            var message = $"spec.proxyProtocol/spec.connection/spec.timeout: listener {l.IrName} shares port {port} with listener {first.IrName}, "
                + $"whose connection-level settings (proxyProtocol, connection, timeout, http2, headers.maxRequestHeaderLimit) the port uses ({source})";
            if (p is not null) Warn(Key(p), message);
            if (chosen?.Connection is not null) Warn(Key(chosen), $"spec.proxyProtocol/spec.connection/spec.timeout: the port {port} of listener {first.IrName} also serves listener {l.IrName} with these connection-level settings");
        }
        if (connection is not null && chosen is not null)
        {
            var key = Key(chosen);
            var protocol = first.Spec.Protocol;
            // HTTP and HTTPS ports serve every connection-level setting but the TCP idle timeout (a TCP proxy's);
            // TCP and TLS ports serve that one, the PROXY header and the connection limit.
            if (protocol is "HTTP" or "HTTPS")
            {
                if (connection.TcpIdleTimeout is not null)
                    Warn(key, $"spec.timeout.tcp.idleTimeout: applies to TCP listeners, ignored on {protocol} listener {first.IrName} (spec.timeout.http.idleTimeout bounds idle HTTP connections)");
            }
            else if (protocol is "TCP" or "TLS")
            {
                if (connection with { TcpIdleTimeout = null, ProxyProtocol = null, ConnectionLimit = null, ConnectionLimitCloseDelay = null }
                    != new ClientConnectionIr { Policy = connection.Policy })
                    Warn(key, $"spec.connection (but connectionLimit.value and closeDelay)/spec.timeout.http/spec.http2/spec.headers.maxRequestHeaderLimit: HTTP settings, ignored on {protocol} listener {first.IrName}");
            }
            else
            {
                Warn(key, $"spec.proxyProtocol/spec.connection/spec.timeout/spec.http2: not supported by Causeway yet on {protocol} listener {first.IrName}, ignored there (HTTP, HTTPS and, for spec.timeout.tcp, TCP and TLS listeners only)");
            }
        }
        return connection;
    }

    private static ObjectKey Key(CompiledClientTrafficPolicy p)
    {
        var slash = p.Listener.Policy.IndexOf('/');
        return new ObjectKey("ClientTrafficPolicy", p.Listener.Policy[..slash], p.Listener.Policy[(slash + 1)..]);
    }

    private void Warn(ObjectKey key, string message)
    {
        if (!_listenerWarnings.TryGetValue(key, out var set)) _listenerWarnings[key] = set = new SortedSet<string>(StringComparer.Ordinal);
        set.Add(message);
    }
}
