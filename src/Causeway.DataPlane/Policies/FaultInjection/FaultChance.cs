namespace Causeway.DataPlane.Policies.FaultInjection;

/// <summary>Whether a fault applies to this request, for a percentage between 0 and 100.</summary>
internal static class FaultChance
{
    public static bool Hit(double percentage) =>
        percentage >= 100 || (percentage > 0 && Random.Shared.NextDouble() * 100 < percentage);
}
