using System.Globalization;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.FaultInjection;

/// <summary>
/// BackendTrafficPolicy <c>faultInjection.delay</c>: the request waits before it goes on, for the configured
/// percentage. Kestrel only: the byte transports do not park requests on a timer, so a rule with a delay is served by
/// the Kestrel pipeline (its plan excludes the event loop), which waits in <c>HttpRequestHandler</c> before the decisions.
/// </summary>
internal sealed class FaultDelayStep : PipelineStep
{
    public FaultDelayStep(FaultDelayIr ir) => Ir = ir;

    public FaultDelayIr Ir { get; }

    public override StepStage Stage => StepStage.FaultInjection;

    public override TransportSet Transports => TransportSet.Kestrel;

    /// <summary>The wait for this request, or zero.</summary>
    public TimeSpan Next() => FaultChance.Hit(Ir.Percentage) ? Ir.Delay : TimeSpan.Zero;

    public override string Describe() => $"fault-delay {Ir.Delay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms {Ir.Percentage.ToString(CultureInfo.InvariantCulture)}%";
}
