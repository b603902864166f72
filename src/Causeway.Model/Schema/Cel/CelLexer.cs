using System.Globalization;
using System.Text;

namespace Causeway.Model.Schema.Cel;

/// <summary>Tokenizer for the Common Expression Language.</summary>
internal static class CelLexer
{
    private static readonly string[] Puncts =
    [
        "==", "!=", "<=", ">=", "&&", "||",
        "(", ")", "[", "]", "{", "}", ".", ",", ":", "?", "!", "-", "+", "*", "/", "%", "<", ">",
    ];

    public static List<CelToken> Tokenize(string src)
    {
        var tokens = new List<CelToken>();
        var i = 0;
        while (true)
        {
            while (i < src.Length && (char.IsWhiteSpace(src[i]) || src[i] == '/' && i + 1 < src.Length && src[i + 1] == '/'))
            {
                if (src[i] == '/')
                {
                    while (i < src.Length && src[i] != '\n')
                    {
                        i++;
                    }
                }
                else
                {
                    i++;
                }
            }

            if (i >= src.Length)
            {
                tokens.Add(new CelToken(CelTokenKind.End, "", null, i));
                return tokens;
            }

            var start = i;
            var c = src[i];
            if ((c is 'r' or 'R' or 'b' or 'B') && i + 1 < src.Length)
            {
                // String prefixes: r, b, rb, br (any case).
                var j = i;
                var raw = false;
                var bytes = false;
                while (j < src.Length && j - i < 2 && src[j] is 'r' or 'R' or 'b' or 'B')
                {
                    raw |= src[j] is 'r' or 'R';
                    bytes |= src[j] is 'b' or 'B';
                    j++;
                }

                if (j < src.Length && src[j] is '\'' or '"')
                {
                    var s = ReadString(src, ref j, raw);
                    tokens.Add(new CelToken(bytes ? CelTokenKind.Bytes : CelTokenKind.String, src[start..j], s, start));
                    i = j;
                    continue;
                }
            }

            if (c is '\'' or '"')
            {
                var s = ReadString(src, ref i, raw: false);
                tokens.Add(new CelToken(CelTokenKind.String, src[start..i], s, start));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < src.Length && (char.IsAsciiLetterOrDigit(src[i]) || src[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new CelToken(CelTokenKind.Ident, src[start..i], null, start));
                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < src.Length && char.IsAsciiDigit(src[i + 1])))
            {
                tokens.Add(ReadNumber(src, ref i));
                continue;
            }

            var matched = false;
            foreach (var p in Puncts)
            {
                if (string.CompareOrdinal(src, i, p, 0, p.Length) == 0)
                {
                    tokens.Add(new CelToken(CelTokenKind.Punct, p, null, start));
                    i += p.Length;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                throw new CelCompileException($"Syntax error: unexpected character '{c}' at {i}");
            }
        }
    }

    private static CelToken ReadNumber(string src, ref int i)
    {
        var start = i;
        if (src[i] == '0' && i + 1 < src.Length && src[i + 1] is 'x' or 'X')
        {
            i += 2;
            while (i < src.Length && char.IsAsciiHexDigit(src[i]))
            {
                i++;
            }

            var hex = src[(start + 2)..i];
            if (i < src.Length && src[i] is 'u' or 'U')
            {
                i++;
                return new CelToken(CelTokenKind.UInt, src[start..i], (long)ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture), start);
            }

            return new CelToken(CelTokenKind.Int, src[start..i], long.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture), start);
        }

        var isDouble = false;
        while (i < src.Length && char.IsAsciiDigit(src[i]))
        {
            i++;
        }

        if (i + 1 < src.Length && src[i] == '.' && char.IsAsciiDigit(src[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < src.Length && char.IsAsciiDigit(src[i]))
            {
                i++;
            }
        }

        if (i < src.Length && src[i] is 'e' or 'E')
        {
            isDouble = true;
            i++;
            if (i < src.Length && src[i] is '+' or '-')
            {
                i++;
            }

            while (i < src.Length && char.IsAsciiDigit(src[i]))
            {
                i++;
            }
        }

        var text = src[start..i];
        if (isDouble)
        {
            return new CelToken(CelTokenKind.Double, text, double.Parse(text, CultureInfo.InvariantCulture), start);
        }

        if (i < src.Length && src[i] is 'u' or 'U')
        {
            i++;
            return new CelToken(CelTokenKind.UInt, src[start..i], (long)ulong.Parse(text, CultureInfo.InvariantCulture), start);
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var l))
        {
            throw new CelCompileException($"Syntax error: integer literal out of range: {text}");
        }

        return new CelToken(CelTokenKind.Int, text, l, start);
    }

    private static string ReadString(string src, ref int i, bool raw)
    {
        var q = src[i];
        var triple = i + 2 < src.Length && src[i + 1] == q && src[i + 2] == q;
        i += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= src.Length)
            {
                throw new CelCompileException("Syntax error: unterminated string literal");
            }

            var c = src[i];
            if (triple ? (c == q && i + 2 < src.Length && src[i + 1] == q && src[i + 2] == q) : c == q)
            {
                i += triple ? 3 : 1;
                return sb.ToString();
            }

            if (!triple && c is '\n' or '\r')
            {
                throw new CelCompileException("Syntax error: newline in string literal");
            }

            if (c == '\\' && !raw)
            {
                i++;
                ReadEscape(src, ref i, sb);
                continue;
            }

            sb.Append(c);
            i++;
        }
    }

    private static void ReadEscape(string src, ref int i, StringBuilder sb)
    {
        if (i >= src.Length)
        {
            throw new CelCompileException("Syntax error: bad escape");
        }

        var c = src[i++];
        switch (c)
        {
            case '\\': sb.Append('\\'); return;
            case '\'': sb.Append('\''); return;
            case '"': sb.Append('"'); return;
            case '`': sb.Append('`'); return;
            case '?': sb.Append('?'); return;
            case 'a': sb.Append('\a'); return;
            case 'b': sb.Append('\b'); return;
            case 'f': sb.Append('\f'); return;
            case 'n': sb.Append('\n'); return;
            case 'r': sb.Append('\r'); return;
            case 't': sb.Append('\t'); return;
            case 'v': sb.Append('\v'); return;
            case 'x' or 'X': sb.Append((char)Hex(src, ref i, 2)); return;
            case 'u': sb.Append((char)Hex(src, ref i, 4)); return;
            case 'U': sb.Append(char.ConvertFromUtf32(Hex(src, ref i, 8))); return;
            case >= '0' and <= '3':
                if (i + 1 < src.Length && src[i] is >= '0' and <= '7' && src[i + 1] is >= '0' and <= '7')
                {
                    sb.Append((char)(((c - '0') * 64) + ((src[i] - '0') * 8) + (src[i + 1] - '0')));
                    i += 2;
                    return;
                }

                break;
        }

        throw new CelCompileException($"Syntax error: invalid escape sequence \\{c}");
    }

    private static int Hex(string src, ref int i, int n)
    {
        if (i + n > src.Length)
        {
            throw new CelCompileException("Syntax error: bad hex escape");
        }

        var v = int.Parse(src.AsSpan(i, n), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        i += n;
        return v;
    }
}
