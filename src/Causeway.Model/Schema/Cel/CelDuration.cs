using System.Globalization;
using System.Text;

namespace Causeway.Model.Schema.Cel;

/// <summary>Go-style duration strings (<c>1h30m</c>, <c>500ms</c>, <c>1.5s</c>) as used by CEL's <c>duration()</c>.</summary>
internal static class CelDuration
{
    public static TimeSpan Parse(string s)
    {
        if (!TryParse(s, out var ts))
        {
            throw new CelException($"invalid duration: \"{s}\"");
        }

        return ts;
    }

    public static bool TryParse(string s, out TimeSpan result)
    {
        result = TimeSpan.Zero;
        var i = 0;
        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        if (s[i..] == "0")
        {
            return true;
        }

        if (i >= s.Length)
        {
            return false;
        }

        decimal totalNanos = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal scale = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (scale < 0)
            {
                return false;
            }

            totalNanos += number * scale;
        }

        var ticks = totalNanos / 100m;
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        result = TimeSpan.FromTicks((long)ticks);
        if (negative)
        {
            result = -result;
        }

        return true;
    }

    public static string Format(TimeSpan t)
    {
        var seconds = (decimal)t.Ticks / TimeSpan.TicksPerSecond;
        var sb = new StringBuilder();
        sb.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}
