using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Causeway.Translation.Ir;

/// <summary>
/// A compiled regex substitution with RE2's rewrite semantics, as Envoy's <c>regex_rewrite</c> applies it: every
/// non-overlapping match of the pattern is replaced; in the substitution, <c>\0</c>..<c>\9</c> stand for capture groups
/// and <c>\\</c> for a backslash (any other <c>\</c> is an error). Made only by <see cref="RouteRegex.Substitution"/>.
/// </summary>
public sealed class RegexSubstitution
{
    private readonly Regex _regex;
    private readonly string _replacement;

    internal RegexSubstitution(Regex regex, string replacement)
    {
        _regex = regex;
        _replacement = replacement;
    }

    /// <summary>Whether the pattern matches anywhere in <paramref name="input"/>.</summary>
    public bool IsMatch(string input) => _regex.IsMatch(input);

    /// <summary><paramref name="input"/> with every match replaced (unchanged when nothing matches).</summary>
    public string Replace(string input) => _regex.Replace(input, _replacement);

    /// <summary>
    /// The .NET replacement pattern for an RE2 rewrite string; null with <paramref name="problem"/> when it is not one
    /// (a stray backslash, or a group the pattern does not have).
    /// </summary>
    internal static string? Translate(string rewrite, int groups, out string? problem)
    {
        problem = null;
        var sb = new StringBuilder(rewrite.Length + 8);
        for (var i = 0; i < rewrite.Length; i++)
        {
            var c = rewrite[i];
            if (c == '$') { sb.Append("$$"); continue; }
            if (c != '\\') { sb.Append(c); continue; }
            if (i + 1 >= rewrite.Length)
            {
                problem = "invalid substitution: a '\\' at the end";
                return null;
            }
            var next = rewrite[++i];
            if (next == '\\') { sb.Append('\\'); continue; }
            if (next is < '0' or > '9')
            {
                problem = $"invalid substitution: '\\{next}' (use \\0..\\9 for groups, \\\\ for a backslash)";
                return null;
            }
            var n = next - '0';
            if (n > groups)
            {
                problem = $"invalid substitution: group \\{n} does not exist (the pattern has {groups.ToString(CultureInfo.InvariantCulture)})";
                return null;
            }
            sb.Append("${").Append(n.ToString(CultureInfo.InvariantCulture)).Append('}');
        }
        return sb.ToString();
    }
}
