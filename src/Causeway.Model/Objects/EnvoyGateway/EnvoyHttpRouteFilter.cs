namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>
/// Envoy Gateway's <c>HTTPRouteFilter</c> (gateway.envoyproxy.io/v1alpha1) as written: a filter an HTTPRoute rule names
/// with an <c>ExtensionRef</c> (group gateway.envoyproxy.io, kind HTTPRouteFilter). Named apart from Gateway API's
/// <see cref="Objects.HttpRouteFilter"/> (the filter entry of a rule).
/// </summary>
public sealed record EnvoyHttpRouteFilter : KubeObject
{
    public EnvoyHttpRouteFilterSpec Spec { get; init; } = new();
}
