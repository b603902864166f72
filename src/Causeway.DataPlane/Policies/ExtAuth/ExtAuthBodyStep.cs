namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// Keeps a rule whose ext auth policy sends the request body on the Kestrel pipeline, the one transport that can buffer
/// a body before deciding (the byte transports hand such requests on). It decides nothing itself.
/// </summary>
internal sealed class ExtAuthBodyStep(int maxRequestBytes) : KestrelOnlyMarkerStep
{
    public override StepStage Stage => StepStage.Authentication;

    public override string Describe() => $"ext-auth body up to {maxRequestBytes} bytes (read on the Kestrel pipeline)";
}
