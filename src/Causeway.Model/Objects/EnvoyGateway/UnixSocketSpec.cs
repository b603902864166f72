namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record UnixSocketSpec
{
    public string Path { get; init; } = "";
}
