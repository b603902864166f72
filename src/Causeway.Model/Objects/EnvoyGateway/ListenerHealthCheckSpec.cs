namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>healthCheck</c>: a path the listener answers itself.</summary>
public sealed record ListenerHealthCheckSpec
{
    public string Path { get; init; } = "";
}
