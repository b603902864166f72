namespace Causeway.Conformance.Harness.Runner;

/// <summary>Bounded polling.</summary>
public static class Waits
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Polls <paramref name="check"/> (null = satisfied) until it holds or <paramref name="timeout"/> passes; returns the last error.</summary>
    public static async Task<string?> UntilAsync(Func<string?> check, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var error = check();
            if (error is null) return null;
            if (DateTime.UtcNow >= deadline) return error;
            await Task.Delay(PollInterval, ct);
        }
    }

    /// <summary>Go duration strings used by cases ("1s", "500ms", "1m", "1.5s").</summary>
    public static TimeSpan ParseGoDuration(string s)
    {
        var total = TimeSpan.Zero;
        var m = System.Text.RegularExpressions.Regex.Matches(s.Trim(), @"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)");
        if (m.Count == 0) throw new FormatException($"bad duration '{s}'");
        foreach (System.Text.RegularExpressions.Match x in m)
        {
            var v = double.Parse(x.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += x.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(v),
                "m" => TimeSpan.FromMinutes(v),
                "s" => TimeSpan.FromSeconds(v),
                "ms" => TimeSpan.FromMilliseconds(v),
                _ => TimeSpan.FromMilliseconds(v / 1000),
            };
        }
        return total;
    }
}
