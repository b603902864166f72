namespace Causeway.Model.Objects;

public sealed record GrpcRoute : Route
{
    public GrpcRouteSpec Spec { get; init; } = new();
    public override IReadOnlyList<ParentReference> ParentRefs => Spec.ParentRefs;
    public override IReadOnlyList<string> Hostnames => Spec.Hostnames;

    public override IEnumerable<(string Path, BackendRef Ref)> AllBackendRefs()
    {
        for (var r = 0; r < Spec.Rules.Count; r++)
            for (var b = 0; b < Spec.Rules[r].BackendRefs.Count; b++)
                yield return ($"spec.rules[{r}].backendRefs[{b}]", Spec.Rules[r].BackendRefs[b].ToBackendRef());
    }
}

public sealed record GrpcRouteSpec
{
    public IReadOnlyList<ParentReference> ParentRefs { get; init; } = [];
    public IReadOnlyList<string> Hostnames { get; init; } = [];
    public IReadOnlyList<GrpcRouteRule> Rules { get; init; } = [];
}

public sealed record GrpcRouteRule
{
    public string? Name { get; init; }
    public IReadOnlyList<GrpcRouteMatch> Matches { get; init; } = [];
    public IReadOnlyList<GrpcRouteFilter> Filters { get; init; } = [];
    public IReadOnlyList<GrpcBackendRef> BackendRefs { get; init; } = [];
    public SessionPersistence? SessionPersistence { get; init; }
}

public sealed record GrpcRouteMatch
{
    public GrpcMethodMatch? Method { get; init; }
    public IReadOnlyList<HttpHeaderMatch> Headers { get; init; } = [];
}

public sealed record GrpcMethodMatch
{
    public string? Type { get; init; }
    public string? Service { get; init; }
    public string? Method { get; init; }
}

public sealed record GrpcRouteFilter
{
    public string Type { get; init; } = "";
    public HttpHeaderFilter? RequestHeaderModifier { get; init; }
    public HttpHeaderFilter? ResponseHeaderModifier { get; init; }
    public HttpRequestMirrorFilter? RequestMirror { get; init; }
    public LocalObjectReference? ExtensionRef { get; init; }
}

public sealed record GrpcBackendRef
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
    public int? Port { get; init; }
    public int? Weight { get; init; }
    public IReadOnlyList<GrpcRouteFilter> Filters { get; init; } = [];

    public BackendRef ToBackendRef() => new() { Group = Group, Kind = Kind, Name = Name, Namespace = Namespace, Port = Port, Weight = Weight };
}

/// <summary>TLSRoute, TCPRoute and UDPRoute share one shape: parents, (TLS only) hostnames, rules of backendRefs.</summary>
public abstract record L4Route : Route
{
    public L4RouteSpec Spec { get; init; } = new();
    public override IReadOnlyList<ParentReference> ParentRefs => Spec.ParentRefs;
    public override IReadOnlyList<string> Hostnames => Spec.Hostnames;

    public override IEnumerable<(string Path, BackendRef Ref)> AllBackendRefs()
    {
        for (var r = 0; r < Spec.Rules.Count; r++)
            for (var b = 0; b < Spec.Rules[r].BackendRefs.Count; b++)
                yield return ($"spec.rules[{r}].backendRefs[{b}]", Spec.Rules[r].BackendRefs[b]);
    }
}

public sealed record L4RouteSpec
{
    public IReadOnlyList<ParentReference> ParentRefs { get; init; } = [];
    public IReadOnlyList<string> Hostnames { get; init; } = [];
    public IReadOnlyList<L4RouteRule> Rules { get; init; } = [];
}

public sealed record L4RouteRule
{
    public string? Name { get; init; }
    public IReadOnlyList<BackendRef> BackendRefs { get; init; } = [];
}

public sealed record TlsRoute : L4Route;

public sealed record TcpRoute : L4Route;

public sealed record UdpRoute : L4Route;

public sealed record ReferenceGrant : KubeObject
{
    public ReferenceGrantSpec Spec { get; init; } = new();
}

public sealed record ReferenceGrantSpec
{
    public IReadOnlyList<ReferenceGrantFrom> From { get; init; } = [];
    public IReadOnlyList<ReferenceGrantTo> To { get; init; } = [];
}

public sealed record ReferenceGrantFrom
{
    public string Group { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Namespace { get; init; } = "";
}

public sealed record ReferenceGrantTo
{
    public string Group { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? Name { get; init; }
}

public sealed record BackendTlsPolicy : KubeObject
{
    public BackendTlsPolicySpec Spec { get; init; } = new();
}

public sealed record BackendTlsPolicySpec
{
    public IReadOnlyList<PolicyTargetReference> TargetRefs { get; init; } = [];
    public BackendTlsValidation Validation { get; init; } = new();
    public IReadOnlyDictionary<string, string> Options { get; init; } = ObjectMeta.EmptyMap;
}

public sealed record PolicyTargetReference
{
    public string Group { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string? SectionName { get; init; }
}

public sealed record BackendTlsValidation
{
    public IReadOnlyList<LocalObjectReference> CaCertificateRefs { get; init; } = [];
    public string? WellKnownCACertificates { get; init; }
    public string Hostname { get; init; } = "";
    public IReadOnlyList<SubjectAltName> SubjectAltNames { get; init; } = [];
}

public sealed record SubjectAltName
{
    public string Type { get; init; } = "";
    public string? Hostname { get; init; }
    public string? Uri { get; init; }
}
