using System.Text.RegularExpressions;

namespace Causeway.Translation.Ir;

/// <summary>
/// The one way a regular expression of the IR (path, header and query matches, gRPC method matches, CORS origin
/// wildcards) becomes a <see cref="Regex"/>: the data plane compiles with it, and the translator validates with it,
/// so a pattern the translator accepts is a pattern the data plane compiles.
/// </summary>
/// <remarks>
/// Matching runs in time linear in the input (<see cref="RegexOptions.NonBacktracking"/>, RE2-like as Envoy Gateway
/// has it): a request built to backtrack cannot stall the thread that routes it, so there is no match timeout to
/// hit. Constructs that engine cannot run in linear time (backreferences, lookarounds, atomic groups, conditionals,
/// balancing groups) are rejected.
/// </remarks>
public static class RouteRegex
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>A regex that matches the whole input (the Gateway API's full-match semantics).</summary>
    /// <exception cref="ArgumentException">The pattern does not parse, or is not a self-contained expression.</exception>
    /// <exception cref="NotSupportedException">The pattern uses a construct linear-time matching does not support.</exception>
    public static Regex FullMatch(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        // Parsed alone first: a pattern such as "a)|(b" is not a regex, but would make one once wrapped below.
        _ = new Regex(pattern, Options);
        return new Regex(@"\A(?:" + pattern + @")\z", Options);
    }

    /// <summary>
    /// A search-and-replace (the pattern matches anywhere, not the whole input) with an RE2 rewrite string, for
    /// Envoy Gateway's <c>ReplaceRegexMatch</c> path and <c>PathRegex</c> host rewrites.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern or the substitution does not parse.</exception>
    /// <exception cref="NotSupportedException">The pattern uses a construct linear-time matching does not support.</exception>
    public static RegexSubstitution Substitution(string pattern, string substitution)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(substitution);
        var regex = new Regex(pattern, Options);
        var groups = regex.GetGroupNumbers().Max();
        var replacement = RegexSubstitution.Translate(substitution, groups, out var problem)
            ?? throw new ArgumentException(problem, nameof(substitution));
        return new RegexSubstitution(regex, replacement);
    }

    /// <summary>Null when <see cref="Substitution"/> compiles the pair; otherwise why not, in one line.</summary>
    public static string? SubstitutionProblem(string pattern, string substitution)
    {
        if (Problem(pattern) is { } problem) return problem;
        try
        {
            _ = Substitution(pattern, substitution);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message.Split(" (Parameter", 2)[0];
        }
    }

    /// <summary>A case-insensitive full match of a CORS origin with <c>*</c> wildcards (everything else literal).</summary>
    public static Regex Wildcard(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Regex(@"\A" + Regex.Escape(text).Replace(@"\*", ".*", StringComparison.Ordinal) + @"\z", Options | RegexOptions.IgnoreCase);
    }

    /// <summary>Null when <see cref="FullMatch"/> compiles the pattern; otherwise why not, in one line.</summary>
    public static string? Problem(string pattern)
    {
        try
        {
            _ = FullMatch(pattern);
            return null;
        }
        catch (RegexParseException ex)
        {
            return "invalid regular expression: " + ex.Error switch
            {
                RegexParseError.Unknown => ex.Message,
                var e => Words(e.ToString()) + " at offset " + ex.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        catch (ArgumentException ex)
        {
            return "invalid regular expression: " + ex.Message;
        }
        catch (NotSupportedException ex)
        {
            // The runtime names the construct: "... in conjunction with expressions containing: 'backreference (\\1)'."
            var at = ex.Message.IndexOf("containing: '", StringComparison.Ordinal);
            var end = ex.Message.LastIndexOf('\'');
            var construct = at >= 0 && end > at + 13 ? ex.Message[(at + 13)..end] : null;
            return "unsupported regular expression: " + (construct is null ? "" : construct + ": ")
                + "only constructs that match in linear time are supported (no backreferences, lookarounds, atomic groups, "
                + "conditionals or balancing groups)";
        }
    }

    // "InsufficientClosingParentheses" -> "insufficient closing parentheses"
    private static string Words(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && sb.Length > 0) sb.Append(' ');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
