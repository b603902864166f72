using System.Text;
using System.Text.RegularExpressions;

namespace Causeway.Model.Schema;

/// <summary>
/// Translates RE2 regular expressions (used by OpenAPI <c>pattern</c> in the API server and by CEL
/// <c>matches()</c>) into equivalent .NET regexes: <c>\d \w \s</c> are ASCII-only, <c>$</c> matches only at the
/// very end (no trailing-newline leniency), <c>(?P&lt;name&gt;</c> groups become <c>(?&lt;name&gt;</c>.
/// </summary>
internal static class Re2Regex
{
    public static Regex Create(string pattern)
    {
        var translated = Translate(pattern);
        return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    public static string Translate(string p)
    {
        var sb = new StringBuilder(p.Length + 16);
        var inClass = false;
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c == '\\' && i + 1 < p.Length)
            {
                var n = p[++i];
                var replacement = n switch
                {
                    'd' => inClass ? "0-9" : "[0-9]",
                    'D' => inClass ? null : "[^0-9]",
                    'w' => inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]",
                    'W' => inClass ? null : "[^0-9A-Za-z_]",
                    's' => inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]",
                    'S' => inClass ? null : "[^\\t\\n\\f\\r ]",
                    _ => null,
                };
                if (replacement is not null)
                {
                    sb.Append(replacement);
                }
                else
                {
                    sb.Append('\\').Append(n);
                }

                continue;
            }

            if (inClass)
            {
                if (c == '[' && i + 1 < p.Length && p[i + 1] == ':')
                {
                    // POSIX class like [:alpha:], copy through verbatim up to ":]".
                    var end = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    if (end > 0)
                    {
                        sb.Append(PosixClass(p[(i + 2)..end]));
                        i = end + 1;
                        continue;
                    }
                }

                if (c == '[')
                {
                    sb.Append("\\[");
                    continue;
                }

                if (c == ']')
                {
                    inClass = false;
                }

                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append(c);
                    if (i + 1 < p.Length && p[i + 1] == '^')
                    {
                        sb.Append('^');
                        i++;
                    }

                    if (i + 1 < p.Length && p[i + 1] == ']')
                    {
                        sb.Append("\\]");
                        i++;
                    }

                    break;
                case '$':
                    sb.Append("\\z");
                    break;
                case '(' when i + 2 < p.Length && p[i + 1] == '?' && p[i + 2] == 'P' && i + 3 < p.Length && p[i + 3] == '<':
                    sb.Append("(?<");
                    i += 3;
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static string PosixClass(string name) => name switch
    {
        "alnum" => "0-9A-Za-z",
        "alpha" => "A-Za-z",
        "digit" => "0-9",
        "lower" => "a-z",
        "upper" => "A-Z",
        "space" => "\\t\\n\\v\\f\\r ",
        "xdigit" => "0-9A-Fa-f",
        "punct" => "!-/:-@\\[-`{-~",
        _ => throw new ArgumentException($"unsupported POSIX class [:{name}:]"),
    };
}
