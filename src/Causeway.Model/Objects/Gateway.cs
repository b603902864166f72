namespace Causeway.Model.Objects;

public sealed record GatewayClass : KubeObject
{
    public GatewayClassSpec Spec { get; init; } = new();
}

public sealed record GatewayClassSpec
{
    public string ControllerName { get; init; } = "";
    public ParametersReference? ParametersRef { get; init; }
    public string? Description { get; init; }
}

public sealed record Gateway : KubeObject
{
    public GatewaySpec Spec { get; init; } = new();
}

public sealed record GatewaySpec
{
    public string GatewayClassName { get; init; } = "";
    public IReadOnlyList<Listener> Listeners { get; init; } = [];
    public IReadOnlyList<GatewayAddress>? Addresses { get; init; }
    public GatewayInfrastructure? Infrastructure { get; init; }
    public GatewayTlsConfig? Tls { get; init; }
    public AllowedListeners? AllowedListeners { get; init; }
}

public sealed record GatewayAddress
{
    public string? Type { get; init; }
    public string? Value { get; init; }
}

public sealed record GatewayInfrastructure
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = ObjectMeta.EmptyMap;
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = ObjectMeta.EmptyMap;
    public LocalObjectReference? ParametersRef { get; init; }
}

public sealed record AllowedListeners
{
    public ListenerNamespaces? Namespaces { get; init; }
}

public sealed record ListenerNamespaces
{
    public string? From { get; init; }
    public LabelSelector? Selector { get; init; }
}

public sealed record Listener
{
    public string Name { get; init; } = "";
    public string? Hostname { get; init; }
    public int Port { get; init; }
    public string Protocol { get; init; } = "";
    public GatewayTlsListenerConfig? Tls { get; init; }
    public AllowedRoutes? AllowedRoutes { get; init; }
}

public sealed record GatewayTlsListenerConfig
{
    public string? Mode { get; init; }
    public IReadOnlyList<SecretObjectReference> CertificateRefs { get; init; } = [];
    public IReadOnlyDictionary<string, string> Options { get; init; } = ObjectMeta.EmptyMap;
}

public sealed record AllowedRoutes
{
    public RouteNamespaces? Namespaces { get; init; }
    public IReadOnlyList<RouteGroupKind>? Kinds { get; init; }
}

public sealed record RouteNamespaces
{
    public string? From { get; init; }
    public LabelSelector? Selector { get; init; }
}

public sealed record RouteGroupKind
{
    public string? Group { get; init; }
    public string Kind { get; init; } = "";
}

public sealed record GatewayTlsConfig
{
    public GatewayBackendTls? Backend { get; init; }
    public FrontendTlsConfig? Frontend { get; init; }
}

public sealed record GatewayBackendTls
{
    public SecretObjectReference? ClientCertificateRef { get; init; }
}

public sealed record FrontendTlsConfig
{
    public TlsConfigEntry? Default { get; init; }
    public IReadOnlyList<TlsPortConfig> PerPort { get; init; } = [];
}

public sealed record TlsPortConfig
{
    public int Port { get; init; }
    public TlsConfigEntry? Tls { get; init; }
}

public sealed record TlsConfigEntry
{
    public FrontendTlsValidation? Validation { get; init; }
}

public sealed record FrontendTlsValidation
{
    public IReadOnlyList<SecretObjectReference> CaCertificateRefs { get; init; } = [];
    public string? Mode { get; init; }
}

public sealed record ListenerSet : KubeObject
{
    public ListenerSetSpec Spec { get; init; } = new();
}

public sealed record ListenerSetSpec
{
    public ParentGatewayReference ParentRef { get; init; } = new();
    public IReadOnlyList<Listener> Listeners { get; init; } = [];
}

public sealed record ParentGatewayReference
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
}
