using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Causeway.Model.Schema.Cel;

/// <summary>
/// The CEL standard library subset (plus Kubernetes extensions) this interpreter supports, resolved by
/// name, receiver style and arity at compile time.
/// </summary>
internal static class CelFunctions
{
    /// <summary>Resolves a call; <paramref name="args"/> are the argument expressions (used to precompile literal regexes).</summary>
    public static CelFunction Resolve(string name, bool isMethod, CelExpr[] args, Func<string, Regex> regexFactory)
    {
        var n = args.Length;
        switch (name, isMethod, n)
        {
            case ("size", false, 1): return (_, a) => CelBoxes.Long(CelRuntime.Size(a[0]));
            case ("size", true, 0): return (t, _) => CelBoxes.Long(CelRuntime.Size(t));
            case ("matches", true, 1):
                return MatchesImpl(args[0], regexFactory, (t, a) => (t, a[0]));
            case ("matches", false, 2):
                return MatchesImpl(args[1], regexFactory, (_, a) => (a[0], a[1]));
            case ("startsWith", true, 1): return (t, a) => CelBoxes.Bool(Str(t).StartsWith(Str(a[0]), StringComparison.Ordinal));
            case ("endsWith", true, 1): return (t, a) => CelBoxes.Bool(Str(t).EndsWith(Str(a[0]), StringComparison.Ordinal));
            case ("contains", true, 1): return (t, a) => CelBoxes.Bool(Str(t).Contains(Str(a[0]), StringComparison.Ordinal));
            case ("lowerAscii", true, 0): return (t, _) => MapAscii(Str(t), char.ToLowerInvariant);
            case ("upperAscii", true, 0): return (t, _) => MapAscii(Str(t), char.ToUpperInvariant);
            case ("trim", true, 0): return (t, _) => Str(t).Trim();
            case ("split", true, 1): return (t, a) => Str(t).Split(Str(a[0])).Cast<object?>().ToList();
            case ("split", true, 2): return (t, a) => Split(Str(t), Str(a[0]), Int(a[1]));
            case ("substring", true, 1): return (t, a) => Substring(Str(t), Int(a[0]), null);
            case ("substring", true, 2): return (t, a) => Substring(Str(t), Int(a[0]), Int(a[1]));
            case ("indexOf", true, 1): return (t, a) => (long)Runes(Str(t)).IndexOfSub(Runes(Str(a[0])));
            case ("replace", true, 2): return (t, a) => Str(t).Replace(Str(a[0]), Str(a[1]), StringComparison.Ordinal);
            case ("join", true, 0): return (t, _) => string.Join("", CelRuntime.Iterate(t).Select(Str));
            case ("join", true, 1): return (t, a) => string.Join(Str(a[0]), CelRuntime.Iterate(t).Select(Str));
            case ("isIP", false, 1): return (_, a) => Formats.IsIP(Str(a[0]));
            case ("isCIDR", false, 1): return (_, a) => Formats.IsCidr(Str(a[0]));
            case ("ip", false, 1):
                return (_, a) => Formats.IsIP(Str(a[0])) ? Str(a[0]) : throw new CelException($"IP Address '{Str(a[0])}' parse error during conversion from string");
            case ("isURL", false, 1): return (_, a) => Uri.TryCreate(Str(a[0]), UriKind.Absolute, out Uri? _);
            case ("duration", false, 1): return (_, a) => a[0] is TimeSpan ts ? ts : CelDuration.Parse(Str(a[0]));
            case ("int", false, 1): return (_, a) => ToInt(a[0]);
            case ("double", false, 1): return (_, a) => ToDouble(a[0]);
            case ("string", false, 1): return (_, a) => a[0] is string s ? s : CelRuntime.Format(a[0]);
            case ("bool", false, 1): return (_, a) => ToBool(a[0]);
            default:
                throw new CelCompileException($"unsupported function: {(isMethod ? "<target>." : "")}{name}/{n}");
        }
    }

    private static CelFunction MatchesImpl(CelExpr patternExpr, Func<string, Regex> regexFactory, Func<object?, object?[], (object? Subject, object? Pattern)> pick)
    {
        if (patternExpr is CelLiteral { Value: string literal })
        {
            Regex re;
            try
            {
                re = regexFactory(literal);
            }
            catch (ArgumentException e)
            {
                throw new CelCompileException($"invalid regular expression '{literal}': {e.Message}");
            }

            return (t, a) => re.IsMatch(Str(pick(t, a).Subject));
        }

        return (t, a) =>
        {
            var (subject, pattern) = pick(t, a);
            try
            {
                return regexFactory(Str(pattern)).IsMatch(Str(subject));
            }
            catch (ArgumentException e)
            {
                throw new CelException($"invalid regular expression: {e.Message}");
            }
        };
    }

    private static string Str(object? v) => v as string ?? throw new CelException($"no such overload: expected string, got {CelRuntime.TypeName(v)}");

    private static long Int(object? v) => v is long l ? l : throw new CelException($"no such overload: expected int, got {CelRuntime.TypeName(v)}");

    private static string MapAscii(string s, Func<char, char> f)
    {
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] < 0x80)
            {
                chars[i] = f(chars[i]);
            }
        }

        return new string(chars);
    }

    private static int[] Runes(string s) => s.EnumerateRunes().Select(r => r.Value).ToArray();

    private static int IndexOfSub(this int[] hay, int[] needle)
    {
        for (var i = 0; i + needle.Length <= hay.Length; i++)
        {
            if (hay.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Substring(string s, long start, long? end)
    {
        var runes = Runes(s);
        var e = end ?? runes.Length;
        if (start < 0 || start > runes.Length || e < start || e > runes.Length)
        {
            throw new CelException($"index out of range: {(start < 0 || start > runes.Length ? start : e)}");
        }

        var sb = new StringBuilder();
        for (var i = (int)start; i < e; i++)
        {
            sb.Append(char.ConvertFromUtf32(runes[i]));
        }

        return sb.ToString();
    }

    private static List<object?> Split(string s, string sep, long limit)
    {
        if (limit == 0)
        {
            return [];
        }

        return (limit < 0 ? s.Split(sep) : s.Split(sep, (int)Math.Min(limit, int.MaxValue))).Cast<object?>().ToList();
    }

    private static long ToInt(object? v) => v switch
    {
        long l => l,
        double d when d >= long.MinValue && d < long.MaxValue && !double.IsNaN(d) => (long)Math.Truncate(d),
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        TimeSpan t => (long)(t.Ticks / TimeSpan.TicksPerSecond),
        _ => throw new CelException($"int() conversion error for {CelRuntime.TypeName(v)} {CelRuntime.Format(v)}"),
    };

    private static double ToDouble(object? v) => v switch
    {
        double d => d,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new CelException($"double() conversion error for {CelRuntime.TypeName(v)}"),
    };

    private static bool ToBool(object? v) => v switch
    {
        bool b => b,
        string s when s is "true" or "True" or "TRUE" or "t" or "1" => true,
        string s when s is "false" or "False" or "FALSE" or "f" or "0" => false,
        _ => throw new CelException($"bool() conversion error for {CelRuntime.TypeName(v)}"),
    };
}
