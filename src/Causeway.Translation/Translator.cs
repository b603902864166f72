using System.Collections.Immutable;
using Causeway.Model;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;
using Causeway.Translation.Policies;
using Causeway.Translation.Routes;
using Causeway.Translation.Status;

namespace Causeway.Translation;

/// <summary>
/// The pure translator: a snapshot of resources in, an IR per Gateway and the status of every object out.
/// No I/O, no clock, no randomness: the same input gives the same output.
/// </summary>
public static partial class Translator
{
    public static TranslationResult Translate(ResourceSnapshot snapshot, TranslatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        return new Run(snapshot, options).Execute();
    }

    private sealed partial class Run(ResourceSnapshot snapshot, TranslatorOptions options)
    {
        private readonly ResourceSnapshot s = snapshot;
        private readonly TranslatorOptions o = options;
        private readonly List<ObjectStatus> _statuses = [];
        private readonly List<string> _problems = [];
        private readonly List<string> _errors = [];
        private readonly Dictionary<string, ProxyConfig> _proxyConfigs = new(StringComparer.Ordinal);
        private readonly BackendResolver _backends = new(snapshot);
        private Func<string, IReadOnlyDictionary<string, string>>? _namespaceLabels;
        private BackendTrafficPolicies? _backendTraffic;
        private SecurityPolicies? _security;
        private ClientTrafficPolicies? _clientTraffic;

        public TranslationResult Execute()
        {
            _backendTraffic = new BackendTrafficPolicies(s, _namespaceLabels ??= NamespaceLabels, o.GlobalRateLimitBackend);
            _security = new SecurityPolicies(s, _backends, _namespaceLabels);
            _clientTraffic = new ClientTrafficPolicies(s, _namespaceLabels);
            var classes = GatewayClasses();
            var gateways = new List<GatewayState>();
            foreach (var gw in s.Gateways)
                if (classes.TryGetValue(gw.Spec.GatewayClassName, out var cls))
                    gateways.Add(PrepareGateway(gw, cls));

            var byKey = gateways.ToDictionary(g => (g.Gateway.Namespace, g.Gateway.Name));
            var setOwners = gateways.SelectMany(g => g.ListenerSets.Select(ls => (ls.Set, g))).ToDictionary(x => (x.Set.Namespace, x.Set.Name), x => x.g);
            var routeStatuses = new Dictionary<ObjectKey, (Route Route, List<RouteParentStatus> Parents)>();
            // HTTPRoutes and GRPCRoutes attach oldest first, then by {namespace}/{name}: when both kinds claim one hostname
            // on one listener, the one attached first is the one the spec accepts (RouteAttachment.CrossKindConflict).
            IEnumerable<Route> httpAndGrpc = ((IEnumerable<Route>)[.. s.HttpRoutes, .. s.GrpcRoutes])
                .OrderBy(r => r.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue)
                .ThenBy(r => r.Namespace + "/" + r.Name, StringComparer.Ordinal)
                .ThenBy(r => r.Kind, StringComparer.Ordinal);
            IEnumerable<Route> routes = [.. httpAndGrpc, .. s.TlsRoutes, .. s.TcpRoutes, .. s.UdpRoutes];
            foreach (var route in routes)
            {
                var parents = new List<RouteParentStatus>();
                var invalid = RouteValidator.Validate(route);
                foreach (var pref in route.ParentRefs)
                {
                    var group = pref.Group ?? KindRegistry.GatewayGroup;
                    var kind = pref.Kind ?? "Gateway";
                    var ns = pref.Namespace ?? route.Namespace;
                    GatewayState? g = null;
                    IReadOnlyList<ListenerContext> listeners = [];
                    if (group == KindRegistry.GatewayGroup && kind == "Gateway" && byKey.TryGetValue((ns, pref.Name), out g))
                        listeners = g.OwnListeners;
                    else if (group == KindRegistry.GatewayGroup && kind == "ListenerSet" && setOwners.TryGetValue((ns, pref.Name), out g))
                        listeners = g.Listeners.Where(l => l.ListenerSet?.Namespace == ns && l.ListenerSet.Name == pref.Name).ToList();
                    if (g is null) continue; // not a parent we own: its controller writes that status
                    var attachment = RouteAttachment.Attach(route, pref, g.Gateway, listeners, _namespaceLabels ??= NamespaceLabels);
                    if (invalid.Count > 0 && attachment.Accepted) attachment.Reject(Reasons.UnsupportedValue, string.Join("; ", invalid));
                    parents.Add(ParentStatus(route, pref, group, kind, ns, attachment, g));
                    if (attachment.Accepted)
                        foreach (var l in attachment.Listeners) l.AttachedRoutes++;
                }
                if (parents.Count > 0)
                    foreach (var problem in invalid) _errors.Add($"{route.Describe()}: {problem}");
                if (parents.Count > 0 || o.PreviousStatuses.ContainsKey(route.Key))
                    routeStatuses[route.Key] = (route, parents);
            }

            var irs = new List<GatewayIr>();
            foreach (var g in gateways)
            {
                if (g.Ir(o.AssignedAddresses, BackendClientCertificate(g.Gateway).Cert) is { } ir && Addresses(g).Unsupported is null) // UnsupportedAddress: not accepted, not programmed
                    irs.Add(_proxyConfigs.TryGetValue(g.Key, out var pc) ? ir with { Tracing = TracingTranslator.Translate(s, pc, g.Gateway, _problems), AccessLog = AccessLogTranslator.Translate(s, pc, _problems) } : ir);
                AddGatewayStatus(g);
            }
            foreach (var (key, (route, parents)) in routeStatuses)
                _statuses.Add(new ObjectStatus(key, route.Metadata.Generation, new RouteStatus { Parents = new(parents) }));
            AddPolicyStatuses();
            AddBackendTrafficPolicyStatuses(byKey, setOwners);
            AddClientTrafficPolicyStatuses(byKey, setOwners);
            AddEnvoyBackendStatuses();

            return new TranslationResult
            {
                Gateways = new(irs.OrderBy(i => i.Name, StringComparer.Ordinal)),
                Statuses = [.. _statuses.OrderBy(x => x.Key)],
                Problems = [.. _problems.Concat(_errors).Distinct().Order(StringComparer.Ordinal)],
                Errors = [.. _errors.Distinct().Order(StringComparer.Ordinal)],
                ProxyConfigs = _proxyConfigs.ToImmutableDictionary(StringComparer.Ordinal),
            };
        }

        /// <summary>
        /// The labels a namespace selector sees: the Namespace's own labels plus <c>kubernetes.io/metadata.name</c>, which the
        /// API server always sets to the name (overriding any other value), for declared and undeclared namespaces alike.
        /// </summary>
        private IReadOnlyDictionary<string, string> NamespaceLabels(string ns)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (s.Get<Namespace>("Namespace", "", ns)?.Metadata.Labels is { } declared)
                foreach (var (k, v) in declared) labels[k] = v;
            labels[NamespaceNameLabel] = ns;
            return labels;
        }

        private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

        private T? Previous<T>(ObjectKey key) where T : class => o.PreviousStatuses.GetValueOrDefault(key) as T;

        // ---- GatewayClass ----
        private Dictionary<string, (GatewayClass Class, ProxyConfig? Params, string? Problem)> GatewayClasses()
        {
            var result = new Dictionary<string, (GatewayClass, ProxyConfig?, string?)>(StringComparer.Ordinal);
            foreach (var gc in s.GatewayClasses)
            {
                if (!o.ControllerNames.Contains(gc.Spec.ControllerName)) continue;
                var (pc, problem) = ResolveParameters(gc.Spec.ParametersRef?.Group, gc.Spec.ParametersRef?.Kind, gc.Spec.ParametersRef?.Name, gc.Spec.ParametersRef?.Namespace, gc.Spec.ParametersRef is not null, true);
                var prev = Previous<GatewayClassStatus>(gc.Key)?.Conditions;
                var c = new ConditionSet(gc.Metadata.Generation, o.Now, prev is null ? null : [.. prev]);
                if (problem is null) c.Set(Reasons.Accepted, true, Reasons.Accepted, "GatewayClass is accepted");
                else c.Set(Reasons.Accepted, false, Reasons.InvalidParameters, "spec.parametersRef: " + problem);
                c.Set(Reasons.SupportedVersion, true, Reasons.SupportedVersion, "Gateway API version is supported");
                _statuses.Add(new ObjectStatus(gc.Key, gc.Metadata.Generation, new GatewayClassStatus { Conditions = c.Build() }));
                result[gc.Name] = (gc, pc, problem);
            }
            return result;
        }

        private (ProxyConfig?, string?) ResolveParameters(string? group, string? kind, string? name, string? ns, bool present, bool namespaceRequired)
        {
            if (!present) return (null, null);
            var supported = (group, kind) is (KindRegistry.CausewayGroup, "ProxyConfig") or (KindRegistry.EnvoyGroup, "EnvoyProxy");
            if (!supported) return (null, $"unsupported parameters kind {group}/{kind} (use {KindRegistry.CausewayGroup}/ProxyConfig)");
            if (namespaceRequired && string.IsNullOrEmpty(ns)) return (null, $"{kind} {name}: namespace is required");
            var pc = s.Get<ProxyConfig>(kind!, ns ?? "", name ?? "");
            return pc is null ? (null, $"{kind} {ns}/{name} not found") : (pc, null);
        }

        // ---- Gateway ----
        private GatewayState PrepareGateway(Gateway gw, (GatewayClass Class, ProxyConfig? Params, string? Problem) cls)
        {
            var g = new GatewayState(gw, cls.Problem is null ? null : $"GatewayClass {cls.Class.Name} is not accepted: {cls.Problem}", _backends, _backendTraffic, _security, _clientTraffic);
            var infra = gw.Spec.Infrastructure?.ParametersRef;
            if (infra is not null)
            {
                var (pc, problem) = ResolveParameters(infra.Group, infra.Kind, infra.Name, gw.Namespace, true, false);
                if (problem is not null) g.InvalidParameters = "spec.infrastructure.parametersRef: " + problem;
                else _proxyConfigs[g.Key] = pc!;
            }
            else if (cls.Params is not null)
            {
                _proxyConfigs[g.Key] = cls.Params;
            }

            foreach (var l in gw.Spec.Listeners)
                g.Listeners.Add(new ListenerContext { Gateway = gw, Spec = l });
            foreach (var ls in s.ListenerSets
                .Where(ls => (ls.Spec.ParentRef.Kind ?? "Gateway") == "Gateway" && ls.Spec.ParentRef.Name == gw.Name && (ls.Spec.ParentRef.Namespace ?? ls.Namespace) == gw.Namespace)
                .OrderBy(ls => ls.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue).ThenBy(ls => ls.Namespace, StringComparer.Ordinal).ThenBy(ls => ls.Name, StringComparer.Ordinal))
            {
                var allowed = ListenerSetAllowed(gw, ls);
                g.ListenerSets.Add((ls, allowed));
                if (allowed)
                    foreach (var l in ls.Spec.Listeners)
                        g.Listeners.Add(new ListenerContext { Gateway = gw, ListenerSet = ls, Spec = l });
            }
            foreach (var l in g.Listeners)
            {
                ListenerValidator.Validate(s, l);
                if (ListenerValidator.ResolveFrontendValidation(s, gw, l) is { } problem)
                {
                    l.ResolvedRefsReason ??= problem.Reason;
                    l.ResolvedRefsMessage = "spec.tls.frontend: " + problem.Message;
                    l.NoValidCaCertificate = true;
                }
                var key = l.IrName;
                if (o.ListenerFailures.TryGetValue(key, out var failure)) l.BindFailure = failure;
            }
            ListenerValidator.MarkConflicts(g.Listeners);
            return g;
        }

        private bool ListenerSetAllowed(Gateway gw, ListenerSet ls)
        {
            var ns = gw.Spec.AllowedListeners?.Namespaces;
            return (ns?.From ?? "None") switch
            {
                "All" => true,
                "Same" => ls.Namespace == gw.Namespace,
                "Selector" => ns!.Selector is { } sel && sel.Matches(NamespaceLabels(ls.Namespace)),
                _ => false,
            };
        }

        private RouteParentStatus ParentStatus(Route route, ParentReference pref, string group, string kind, string ns, RouteAttachment a, GatewayState g)
        {
            var key = route.Key;
            var prevParent = Previous<RouteStatus>(key)?.Parents.FirstOrDefault(p => p.ParentRef.Name == pref.Name && p.ParentRef.Namespace == pref.Namespace && p.ParentRef.SectionName == pref.SectionName && p.ParentRef.Port == pref.Port);
            var c = new ConditionSet(route.Metadata.Generation, o.Now, prevParent is null ? null : [.. prevParent.Conditions]);
            if (a.Accepted) c.Set(Reasons.Accepted, true, Reasons.Accepted, "Route is accepted");
            else c.Set(Reasons.Accepted, false, a.RejectReason!, a.RejectMessage);
            var problems = g.Problems(route);
            if (problems.Count == 0) c.Set(Reasons.ResolvedRefs, true, Reasons.ResolvedRefs, "All references are resolved");
            else
            {
                c.Set(Reasons.ResolvedRefs, false, problems[0].Reason, string.Join("; ", problems.Select(p => p.Message)));
                foreach (var p in problems) _problems.Add($"{route.Describe()}: {p.Message}");
            }
            return new RouteParentStatus
            {
                ParentRef = new ParentRefStatus { Group = group, Kind = kind, Namespace = pref.Namespace, Name = pref.Name, SectionName = pref.SectionName, Port = pref.Port },
                ControllerName = o.StatusControllerName,
                Conditions = c.Build(),
            };
        }

        private void AddGatewayStatus(GatewayState g)
        {
            var gw = g.Gateway;
            var prev = Previous<GatewayStatus>(gw.Key);
            var listenerStatuses = new List<ListenerStatus>();
            foreach (var l in g.Listeners.Where(l => l.ListenerSet is null))
                listenerStatuses.Add(l.BuildStatus(gw.Metadata.Generation, o.Now, prev?.Listeners.FirstOrDefault(x => x.Name == l.Name)?.Conditions is { } pc ? [.. pc] : null));
            var own = g.Listeners.Where(l => l.ListenerSet is null).ToList();
            var valid = own.Count(l => l.Accepted);
            var c = new ConditionSet(gw.Metadata.Generation, o.Now, prev is null ? null : [.. prev.Conditions]);
            var (addresses, addressProblem, unsupportedAddress) = Addresses(g);
            if (g.ClassProblem is not null) c.Set(Reasons.Accepted, false, Reasons.InvalidParameters, g.ClassProblem);
            else if (g.InvalidParameters is not null) c.Set(Reasons.Accepted, false, Reasons.InvalidParameters, g.InvalidParameters);
            else if (unsupportedAddress is not null) c.Set(Reasons.Accepted, false, Reasons.UnsupportedAddress, unsupportedAddress);
            else if (own.Count > 0 && valid == 0) c.Set(Reasons.Accepted, false, Reasons.ListenersNotValid, "no listener is valid");
            else if (valid < own.Count) c.Set(Reasons.Accepted, true, Reasons.ListenersNotValid, "some listeners are not valid");
            else c.Set(Reasons.Accepted, true, Reasons.Accepted, "Gateway is accepted");

            if (gw.Spec.Tls?.Backend?.ClientCertificateRef is not null)
            {
                var (_, refReason, refMessage) = BackendClientCertificate(gw);
                if (refReason is null) c.Set(Reasons.ResolvedRefs, true, Reasons.ResolvedRefs, "All references are resolved");
                else c.Set(Reasons.ResolvedRefs, false, refReason, "spec.tls.backend.clientCertificateRef: " + refMessage);
            }

            var frontend = gw.Spec.Tls?.Frontend;
            if (frontend is not null && (frontend.Default?.Validation?.Mode == "AllowInsecureFallback"
                    || frontend.PerPort.Any(p => p.Tls?.Validation?.Mode == "AllowInsecureFallback")))
                c.Set(Reasons.InsecureFrontendValidationMode, true, Reasons.ConfigurationChanged,
                    "spec.tls.frontend: AllowInsecureFallback accepts clients without a valid certificate");

            if (!g.Accepted || unsupportedAddress is not null) c.Set(Reasons.Programmed, false, Reasons.Invalid, "Gateway is not accepted");
            else if (addressProblem is not null) c.Set(Reasons.Programmed, false, Reasons.AddressNotUsable, addressProblem);
            else if (o.AddressesFromInfrastructure && addresses.Count == 0) c.Set(Reasons.Programmed, false, Reasons.AddressNotAssigned, "waiting for the load balancer to assign an address");
            else if (o.PendingGateways.Contains($"{gw.Namespace}/{gw.Name}")) c.Set(Reasons.Programmed, false, Reasons.Pending, "waiting for the proxies to apply the configuration");
            else c.Set(Reasons.Programmed, true, Reasons.Programmed, "Gateway is programmed");

            _statuses.Add(new ObjectStatus(gw.Key, gw.Metadata.Generation, new GatewayStatus
            {
                Addresses = new(addresses.Select(a => new GatewayStatusAddress(System.Net.IPAddress.TryParse(a, out _) ? "IPAddress" : "Hostname", a))),
                Conditions = c.Build(),
                Listeners = new(listenerStatuses),
                AttachedListenerSets = g.ListenerSets.Count == 0 && gw.Spec.AllowedListeners is null ? null
                    : g.ListenerSets.Count(x => x.Allowed && g.Listeners.Any(l => l.ListenerSet == x.Set && l.Accepted)),
            }));

            foreach (var (ls, allowed) in g.ListenerSets)
            {
                var prevLs = Previous<ListenerSetStatus>(ls.Key);
                var mine = g.Listeners.Where(l => l.ListenerSet == ls).ToList();
                var lc = new ConditionSet(ls.Metadata.Generation, o.Now, prevLs is null ? null : [.. prevLs.Conditions]);
                var validLs = mine.Count(l => l.Accepted && l.ResolvedRefsReason is null);
                if (!allowed) lc.Set(Reasons.Accepted, false, Reasons.NotAllowed, $"Gateway {gw.Namespace}/{gw.Name} does not allow ListenerSets from namespace {ls.Namespace}");
                else if (validLs == 0) lc.Set(Reasons.Accepted, false, Reasons.ListenersNotValid, "no listener is valid");
                else lc.Set(Reasons.Accepted, true, validLs < mine.Count ? Reasons.ListenersNotValid : Reasons.Accepted, "ListenerSet is accepted");
                if (!allowed) lc.Set(Reasons.Programmed, false, Reasons.NotAllowed, "ListenerSet is not allowed");
                else if (validLs == 0) lc.Set(Reasons.Programmed, false, Reasons.ListenersNotValid, "no listener is valid");
                else lc.Set(Reasons.Programmed, true, Reasons.Programmed, "ListenerSet is programmed");
                _statuses.Add(new ObjectStatus(ls.Key, ls.Metadata.Generation, new ListenerSetStatus
                {
                    Conditions = lc.Build(),
                    Listeners = new(mine.Select(l => l.BuildStatus(ls.Metadata.Generation, o.Now, prevLs?.Listeners.FirstOrDefault(x => x.Name == l.Name)?.Conditions is { } pc ? [.. pc] : null))),
                }));
            }
        }

        private (List<string> Addresses, string? Problem, string? Unsupported) Addresses(GatewayState g)
        {
            var gw = g.Gateway;
            var list = new List<string>();
            string? problem = null, unsupported = null;
            foreach (var a in gw.Spec.Addresses ?? [])
            {
                var type = a.Type ?? "IPAddress";
                if (type == "IPAddress" && a.Value is { Length: > 0 } v)
                {
                    if (!System.Net.IPAddress.TryParse(v, out _)) problem = $"spec.addresses: \"{v}\" is not an IP address";
                }
                else if (type != "IPAddress")
                {
                    unsupported = $"spec.addresses: address type {type} is not supported";
                }
            }
            if (o.AssignedAddresses.TryGetValue(g.Key, out var assigned))
            {
                list.AddRange(assigned);
                // The runtime assigns what it can serve: a requested address it did not assign is not usable here.
                foreach (var a in gw.Spec.Addresses ?? [])
                    if ((a.Type ?? "IPAddress") == "IPAddress" && a.Value is { Length: > 0 } v && System.Net.IPAddress.TryParse(v, out _) && !assigned.Contains(v))
                        problem ??= $"spec.addresses: {v} is not an address this gateway can serve";
            }
            foreach (var a in gw.Spec.Addresses ?? [])
                if ((a.Type ?? "IPAddress") == "IPAddress" && a.Value is { Length: > 0 } v && !list.Contains(v) && !o.AssignedAddresses.ContainsKey(g.Key))
                    if (System.Net.IPAddress.TryParse(v, out _)) list.Add(v);
            if (list.Count == 0 && problem is null && unsupported is null && !o.AssignedAddresses.ContainsKey(g.Key)) list.AddRange(o.ReachableAddresses);
            return (list, problem, unsupported);
        }

        /// <summary>The Gateway's backend client certificate (spec.tls.backend.clientCertificateRef), or why it does not resolve.</summary>
        private (TlsCertificateIr? Cert, string? Reason, string? Message) BackendClientCertificate(Gateway gw)
        {
            var r = gw.Spec.Tls?.Backend?.ClientCertificateRef;
            if (r is null) return (null, null, null);
            if ((r.Group ?? "") != "" || (r.Kind ?? "Secret") != "Secret")
                return (null, Reasons.InvalidClientCertificateRef, $"unsupported reference {r.Group}/{r.Kind}: only core Secrets are supported");
            var ns = r.Namespace ?? gw.Namespace;
            if (!ReferenceGrants.Allows(s, KindRegistry.GatewayGroup, "Gateway", gw.Namespace, "", "Secret", ns, r.Name))
                return (null, Reasons.RefNotPermitted, $"Secret {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it");
            var secret = s.Get<Secret>("Secret", ns, r.Name);
            if (secret is null) return (null, Reasons.InvalidClientCertificateRef, $"Secret {ns}/{r.Name} not found");
            var (cert, error) = Certificates.FromTlsSecret(secret);
            return cert is null ? (null, Reasons.InvalidClientCertificateRef, error) : (cert, null, null);
        }

        private void AddPolicyStatuses()
        {
            _backends.ResolveTlsPolicies();
            foreach (var policy in s.BackendTlsPolicies)
            {
                var conflicts = _backends.TlsPolicyConflicts.GetValueOrDefault(policy.Key);
                var ancestors = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var t in policy.Spec.TargetRefs)
                    if (_backends.ServiceUsers.TryGetValue((policy.Namespace, t.Name), out var users))
                        ancestors.UnionWith(users);
                if (ancestors.Count == 0 && !o.PreviousStatuses.ContainsKey(policy.Key)) continue;
                var prev = Previous<PolicyStatus>(policy.Key);
                var (reason, message, notAccepted, notAcceptedMessage) = PolicyProblem(policy);
                var list = new List<PolicyAncestorStatus>();
                foreach (var anc in ancestors)
                {
                    var parts = anc.Split('/');
                    var prevAnc = prev?.Ancestors.FirstOrDefault(a => a.AncestorRef.Namespace == parts[0] && a.AncestorRef.Name == parts[1]);
                    var c = new ConditionSet(policy.Metadata.Generation, o.Now, prevAnc is null ? null : [.. prevAnc.Conditions]);
                    // Per ancestor: conflicted when another policy took precedence on a target this Gateway's routes use.
                    var lost = conflicts?.Where(x => _backends.ServiceUsers.TryGetValue((policy.Namespace, x.Service), out var users) && users.Contains(anc)).ToList();
                    if (notAccepted is not null)
                        c.Set(Reasons.Accepted, false, notAccepted, notAcceptedMessage!);
                    else if (lost is { Count: > 0 })
                        c.Set(Reasons.Accepted, false, Reasons.Conflicted, string.Join("; ", lost.Select(x =>
                            $"Unable to target Service {policy.Namespace}/{x.Service}{(x.SectionName is null ? "" : " port " + x.SectionName)}, another BackendTLSPolicy ({x.Winner.Namespace}/{x.Winner.Name}) takes precedence")));
                    else
                        c.Set(Reasons.Accepted, true, Reasons.Accepted, "Policy is accepted");
                    if (reason is null) c.Set(Reasons.ResolvedRefs, true, Reasons.ResolvedRefs, "All references are resolved");
                    else c.Set(Reasons.ResolvedRefs, false, reason, message!);
                    list.Add(new PolicyAncestorStatus
                    {
                        AncestorRef = new ParentRefStatus { Group = KindRegistry.GatewayGroup, Kind = "Gateway", Namespace = parts[0], Name = parts[1] },
                        ControllerName = o.StatusControllerName,
                        Conditions = c.Build(),
                    });
                }
                _statuses.Add(new ObjectStatus(policy.Key, policy.Metadata.Generation, new PolicyStatus { Ancestors = new(list) }));
            }
        }

        /// <summary>Envoy Gateway Backends: Accepted, or Accepted=False/Invalid naming the field (the rest keeps serving).</summary>
        private void AddEnvoyBackendStatuses()
        {
            foreach (var b in s.Backends)
            {
                var prev = Previous<EnvoyBackendStatus>(b.Key)?.Conditions;
                var c = new ConditionSet(b.Metadata.Generation, o.Now, prev is null ? null : [.. prev]);
                if (_backends.EnvoyBackends.Problem(b) is { } problem)
                {
                    c.Set(Reasons.Accepted, false, Reasons.Invalid, problem);
                    _errors.Add($"{b.Describe()}: {problem}");
                }
                else
                {
                    var notes = string.Join("; ", _backends.EnvoyBackends.Notes(b));
                    c.Set(Reasons.Accepted, true, Reasons.Accepted, notes.Length == 0 ? "The Backend was accepted" : "The Backend was accepted; " + notes);
                }
                _statuses.Add(new ObjectStatus(b.Key, b.Metadata.Generation, new EnvoyBackendStatus { Conditions = c.Build() }));
            }
        }

        /// <summary>
        /// What is wrong with a BackendTLSPolicy's CA (CRD <c>spec.validation</c>): every invalid caCertificateRef named
        /// (ResolvedRefs=False with the first one's reason: InvalidKind or InvalidCACertificateRef), and whether no usable
        /// CA is left (Accepted=False: NoValidCACertificate when every ref is invalid, Invalid for a
        /// wellKnownCACertificates value we do not know). One valid ref keeps the policy accepted.
        /// </summary>
        private (string? Reason, string? Message, string? NotAccepted, string? NotAcceptedMessage) PolicyProblem(BackendTlsPolicy p)
        {
            var refs = p.Spec.Validation.CaCertificateRefs;
            if (refs.Count == 0)
            {
                var known = p.Spec.Validation.WellKnownCACertificates;
                return known == "System" ? (null, null, null, null)
                    : (null, null, Reasons.Invalid, $"spec.validation.wellKnownCACertificates: \"{known}\" is not supported (supported: System)");
            }
            string? reason = null;
            var messages = new List<string>();
            for (var i = 0; i < refs.Count; i++)
            {
                var r = refs[i];
                var field = $"spec.validation.caCertificateRefs[{i}]";
                if (r.Group != "" || r.Kind is not ("ConfigMap" or "Secret"))
                {
                    reason ??= Reasons.InvalidKind;
                    messages.Add($"{field}: unsupported kind {(r.Group.Length == 0 ? "core" : r.Group)}/{r.Kind} (supported: ConfigMap, Secret)");
                    continue;
                }
                var text = r.Kind == "ConfigMap"
                    ? s.Get<ConfigMap>("ConfigMap", p.Namespace, r.Name)?.Data.GetValueOrDefault("ca.crt")
                    : s.Get<Secret>("Secret", p.Namespace, r.Name)?.Data.GetValueOrDefault("ca.crt") is { } b ? System.Text.Encoding.UTF8.GetString(b) : null;
                if (Certificates.ValidCaBundle(text) is null)
                {
                    reason ??= Reasons.InvalidCACertificateRef;
                    messages.Add($"{field}: {r.Kind} {p.Namespace}/{r.Name} not found or holds no valid CA certificate in key ca.crt");
                }
            }
            if (reason is null) return (null, null, null, null);
            var message = string.Join("; ", messages);
            return messages.Count == refs.Count
                ? (reason, message, Reasons.NoValidCACertificate, message + " (no valid CA certificate: connections to the targeted backends fail)")
                : (reason, message, null, null);
        }
    }
}
