using System.Globalization;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.FaultInjection;

/// <summary>
/// BackendTrafficPolicy <c>faultInjection.delay</c>: the request waits before it goes on, for the configured
/// percentage. A pending decision like any other (<see cref="AsyncDecideStep"/>): every transport parks the request
/// on the timer without holding a thread; it runs first among the fault steps, as Envoy delays before it aborts.
/// </summary>
internal sealed class FaultDelayStep(FaultDelayIr ir) : AsyncDecideStep
{
    private static readonly ValueTask<DecideOutcome> NoDelay = ValueTask.FromResult(DecideOutcome.Continue);

    public FaultDelayIr Ir { get; } = ir;

    public override StepStage Stage => StepStage.FaultInjection;

    public override ValueTask<DecideOutcome> Start<TRequest>(in TRequest request, in RequestFacts facts) =>
        FaultChance.Hit(Ir.Percentage) && Ir.Delay > TimeSpan.Zero ? WaitAsync(Ir.Delay) : NoDelay;

    private static async ValueTask<DecideOutcome> WaitAsync(TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        return DecideOutcome.Continue;
    }

    public override string Describe() => $"fault-delay {Ir.Delay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms {Ir.Percentage.ToString(CultureInfo.InvariantCulture)}%";
}
