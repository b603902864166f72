using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>RequestMirror: a copy of the request (body included up to a limit) to another backend; the answer is ignored.</summary>
internal sealed class MirrorStep : PipelineStep
{
    private readonly MirrorTarget _mirror;

    public MirrorStep(MirrorTarget mirror) => _mirror = mirror;

    public override StepStage Stage => StepStage.RouteFilters;

    /// <summary>Kestrel only: the mirror needs the body buffered and a second upstream request.</summary>
    public override TransportSet Transports => TransportSet.Kestrel;

    public override string Describe() => $"mirror {_mirror.Backend?.Id ?? "-"} {_mirror.Numerator}/{_mirror.Denominator}";
}
