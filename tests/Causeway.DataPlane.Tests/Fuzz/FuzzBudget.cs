using System.Globalization;

namespace Causeway.DataPlane.Tests.Fuzz;

/// <summary>
/// How long each fuzz property runs: <c>CAUSEWAY_FUZZ_SECONDS</c> (default 2, so CI stays quick; set e.g. 600 to fuzz by
/// hand). One thread: the CI machines are shared. A failure prints CsCheck's seed; rerun it with <c>CsCheck_Seed</c>.
/// </summary>
public static class FuzzBudget
{
    public static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("CAUSEWAY_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 2;
}
