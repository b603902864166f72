namespace Causeway.Distribution.Install;

/// <summary>
/// The ProxyConfig CRD (gateway.causeway.dev/v1alpha1): its OpenAPI schema mirrors
/// <see cref="Causeway.Model.Objects.ProxyConfigSpec"/> field by field.
/// </summary>
internal static class ProxyConfigCrd
{
    public const string Name = "proxyconfigs.gateway.causeway.dev";

    public static Dictionary<string, object?> Document() => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new Dictionary<string, object?> { ["name"] = Name },
        ["spec"] = new Dictionary<string, object?>
        {
            ["group"] = ControllerRbac.CausewayGroup,
            ["scope"] = "Namespaced",
            ["names"] = new Dictionary<string, object?>
            {
                ["kind"] = "ProxyConfig",
                ["listKind"] = "ProxyConfigList",
                ["plural"] = "proxyconfigs",
                ["singular"] = "proxyconfig",
                ["categories"] = new List<object?> { "gateway-api", "causeway" },
            },
            ["versions"] = new List<object?>
            {
                new Dictionary<string, object?>
                {
                    ["name"] = "v1alpha1",
                    ["served"] = true,
                    ["storage"] = true,
                    ["additionalPrinterColumns"] = new List<object?>
                    {
                        Column("Replicas", "integer", ".spec.replicas"),
                        Column("Service Type", "string", ".spec.service.type"),
                        Column("LB Class", "string", ".spec.service.loadBalancerClass", priority: 1),
                        Column("Age", "date", ".metadata.creationTimestamp"),
                    },
                    ["schema"] = new Dictionary<string, object?> { ["openAPIV3Schema"] = RootSchema() },
                },
            },
        },
    };

    private static Dictionary<string, object?> Column(string name, string type, string path, int priority = 0)
    {
        var column = new Dictionary<string, object?> { ["name"] = name, ["type"] = type, ["jsonPath"] = path };
        if (priority != 0) column["priority"] = priority;
        return column;
    }

    private static Dictionary<string, object?> RootSchema() => Object(
        "ProxyConfig shapes the proxy fleet Causeway provisions for a Gateway: referenced from a GatewayClass's " +
        "spec.parametersRef or a Gateway's spec.infrastructure.parametersRef (which overrides it).",
        new()
        {
            ["apiVersion"] = Str("APIVersion of the object."),
            ["kind"] = Str("Kind of the object."),
            ["metadata"] = new Dictionary<string, object?> { ["type"] = "object" },
            ["spec"] = Object("The desired proxy Deployment and Service.", new()
            {
                ["replicas"] = new Dictionary<string, object?>
                {
                    ["type"] = "integer",
                    ["format"] = "int32",
                    ["minimum"] = 0,
                    ["description"] = "Number of proxy pods. Default 1.",
                },
                ["resources"] = Object("Compute resources of the proxy container. Extended resources (e.g. tke.cloud.tencent.com/eni-ip) are allowed.", new()
                {
                    ["requests"] = QuantityMap("Minimum resources required."),
                    ["limits"] = QuantityMap("Maximum resources allowed."),
                }),
                ["pod"] = Object("Proxy pod metadata.", new()
                {
                    ["annotations"] = StringMap("Annotations added to the proxy pods (e.g. tke.cloud.tencent.com/networks)."),
                    ["labels"] = StringMap("Labels added to the proxy pods."),
                }),
                ["service"] = Object("The Service exposing the proxies.", new()
                {
                    ["type"] = new Dictionary<string, object?>
                    {
                        ["type"] = "string",
                        ["enum"] = new List<object?> { "ClusterIP", "NodePort", "LoadBalancer" },
                        ["description"] = "Service type. Default LoadBalancer.",
                    },
                    ["annotations"] = StringMap("Annotations of the Service (e.g. service.kubernetes.io/tke-existed-lbid)."),
                    ["labels"] = StringMap("Labels of the Service."),
                    ["loadBalancerClass"] = new Dictionary<string, object?>
                    {
                        ["type"] = "string",
                        ["minLength"] = 1,
                        ["maxLength"] = 253,
                        ["description"] = "spec.loadBalancerClass of the Service (LoadBalancer only).",
                    },
                    ["externalTrafficPolicy"] = new Dictionary<string, object?>
                    {
                        ["type"] = "string",
                        ["enum"] = new List<object?> { "Cluster", "Local" },
                        ["description"] = "spec.externalTrafficPolicy of the Service (NodePort and LoadBalancer).",
                    },
                }),
                ["telemetry"] = Object("Telemetry of the proxies (the shape of Envoy Gateway's EnvoyProxy spec.telemetry).", new()
                {
                    ["tracing"] = TracingSchema(),
                }),
            }),
        });

    private static Dictionary<string, object?> TracingSchema() => Object("Distributed tracing: OTLP export of a SERVER span per request and a CLIENT span per upstream attempt.", new()
    {
        ["samplingRate"] = new Dictionary<string, object?>
        {
            ["type"] = "integer",
            ["format"] = "int32",
            ["minimum"] = 0,
            ["maximum"] = 100,
            ["description"] = "Percent of requests without a sampling decision of their own (traceparent) that are traced. Default 100.",
        },
        ["samplingFraction"] = Object("The sampling rate as numerator/denominator (denominator default 100); wins over samplingRate.", new()
        {
            ["numerator"] = new Dictionary<string, object?> { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 0 },
            ["denominator"] = new Dictionary<string, object?> { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 1 },
        }),
        ["provider"] = Object("The OTLP collector: host/port or a Service in backendRefs.", new()
        {
            ["type"] = new Dictionary<string, object?> { ["type"] = "string", ["enum"] = new List<object?> { "OpenTelemetry" }, ["description"] = "Default OpenTelemetry." },
            ["host"] = Str("Collector host name or address."),
            ["port"] = new Dictionary<string, object?> { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 1, ["maximum"] = 65535, ["description"] = "Collector port. Default 4317." },
            ["protocol"] = new Dictionary<string, object?>
            {
                ["type"] = "string",
                ["enum"] = new List<object?> { "grpc", "http/protobuf" },
                ["description"] = "OTLP transport. Default http/protobuf on port 4318, else grpc.",
            },
            ["backendRefs"] = new Dictionary<string, object?>
            {
                ["type"] = "array",
                ["maxItems"] = 1,
                ["items"] = Object("A Service receiving OTLP.", new()
                {
                    ["group"] = Str("Empty (core)."),
                    ["kind"] = Str("Service."),
                    ["name"] = Str("Service name."),
                    ["namespace"] = Str("Service namespace (default: the ProxyConfig's)."),
                    ["port"] = new Dictionary<string, object?> { ["type"] = "integer", ["format"] = "int32" },
                }),
            },
        }),
        ["customTags"] = new Dictionary<string, object?>
        {
            ["type"] = "object",
            ["description"] = "Tags added to every span, by name: Literal (literal.value), Environment (environment.name/defaultValue) or RequestHeader (requestHeader.name/defaultValue).",
            ["additionalProperties"] = Object("A custom tag.", new()
            {
                ["type"] = new Dictionary<string, object?> { ["type"] = "string", ["enum"] = new List<object?> { "Literal", "Environment", "RequestHeader" } },
                ["literal"] = Object("A fixed value.", new() { ["value"] = Str("The value.") }),
                ["environment"] = Object("An environment variable of the proxy.", new() { ["name"] = Str("Variable name."), ["defaultValue"] = Str("Value when unset.") }),
                ["requestHeader"] = Object("A request header.", new() { ["name"] = Str("Header name."), ["defaultValue"] = Str("Value when absent.") }),
            }),
        },
    });

    private static Dictionary<string, object?> Object(string description, Dictionary<string, object?> properties) => new()
    {
        ["type"] = "object",
        ["description"] = description,
        ["properties"] = properties,
    };

    private static Dictionary<string, object?> Str(string description) => new() { ["type"] = "string", ["description"] = description };

    private static Dictionary<string, object?> StringMap(string description) => new()
    {
        ["type"] = "object",
        ["description"] = description,
        ["additionalProperties"] = new Dictionary<string, object?> { ["type"] = "string" },
    };

    private static Dictionary<string, object?> QuantityMap(string description) => new()
    {
        ["type"] = "object",
        ["description"] = description,
        ["additionalProperties"] = new Dictionary<string, object?>
        {
            ["anyOf"] = new List<object?>
            {
                new Dictionary<string, object?> { ["type"] = "integer" },
                new Dictionary<string, object?> { ["type"] = "string" },
            },
            ["pattern"] = @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$",
            ["x-kubernetes-int-or-string"] = true,
        },
    };
}
