namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>
/// Envoy Gateway's <c>Backend</c> (gateway.envoyproxy.io/v1alpha1) as written: a backend outside Services and
/// EndpointSlices (IP, FQDN or Unix socket endpoints), named by routes as a backendRef of group gateway.envoyproxy.io.
/// </summary>
public sealed record Backend : KubeObject
{
    public BackendSpec Spec { get; init; } = new();
}
