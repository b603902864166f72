namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>extAuth.bodyToExtAuth</c>: the request body (up to a size) goes to the authorization service.</summary>
public sealed record ExtAuthBodySpec
{
    public int? MaxRequestBytes { get; init; }
}
