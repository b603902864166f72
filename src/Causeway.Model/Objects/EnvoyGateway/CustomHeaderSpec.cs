namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>clientIPDetection.customHeader</c>: a trusted header carrying the client address.</summary>
public sealed record CustomHeaderSpec
{
    public string Name { get; init; } = "";
    public bool? FailClosed { get; init; }
}
