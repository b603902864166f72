using System.Globalization;

namespace Causeway.Translation.AccessLog;

/// <summary>What a CEL match condition reads of a completed request.</summary>
public interface ICelRequest
{
    int ResponseCode { get; }

    /// <summary>A request header by lower-case name (several values joined with ","), or null.</summary>
    string? RequestHeader(string name);

    /// <summary><c>request.method</c>, <c>request.path</c>, <c>request.host</c>.</summary>
    string? RequestAttribute(CelAttribute attribute);
}

public enum CelAttribute { Method, Path, Host }

/// <summary>
/// The subset of CEL access log match conditions Causeway evaluates: <c>'h' in request.headers</c>,
/// <c>request.headers['h'] == 'v'</c> (and <c>!=</c>), <c>request.method|path|host == 'v'</c> (and <c>!=</c>),
/// <c>response.code</c> compared with an integer (<c>== != &lt; &lt;= &gt; &gt;=</c>), joined with <c>&amp;&amp;</c>,
/// <c>||</c>, <c>!</c> and parentheses. Parsed once; evaluating allocates nothing.
/// </summary>
public abstract record CelMatch
{
    public abstract bool Evaluate(ICelRequest request);

    /// <summary>Request headers the condition reads.</summary>
    public abstract IEnumerable<string> Headers();

    public static bool TryParse(string expression, out CelMatch? match, out string? error)
    {
        var p = new Parser(expression);
        try
        {
            match = p.ParseOr();
            p.SkipSpace();
            if (!p.AtEnd) throw new FormatException($"unexpected '{p.Rest}'");
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            match = null;
            error = e.Message;
            return false;
        }
    }

    public sealed record HeaderPresent(string Name) : CelMatch
    {
        public override bool Evaluate(ICelRequest request) => request.RequestHeader(Name) is not null;
        public override IEnumerable<string> Headers() => [Name];
    }

    public sealed record HeaderEquals(string Name, string Value, bool Negate) : CelMatch
    {
        public override bool Evaluate(ICelRequest request) =>
            string.Equals(request.RequestHeader(Name), Value, StringComparison.Ordinal) != Negate;
        public override IEnumerable<string> Headers() => [Name];
    }

    public sealed record AttributeEquals(CelAttribute Attribute, string Value, bool Negate) : CelMatch
    {
        public override bool Evaluate(ICelRequest request) =>
            string.Equals(request.RequestAttribute(Attribute), Value, StringComparison.Ordinal) != Negate;
        public override IEnumerable<string> Headers() => [];
    }

    public sealed record CodeCompare(string Op, int Value) : CelMatch
    {
        public override bool Evaluate(ICelRequest request)
        {
            var c = request.ResponseCode;
            return Op switch
            {
                "==" => c == Value,
                "!=" => c != Value,
                "<" => c < Value,
                "<=" => c <= Value,
                ">" => c > Value,
                _ => c >= Value,
            };
        }

        public override IEnumerable<string> Headers() => [];
    }

    public sealed record And(CelMatch Left, CelMatch Right) : CelMatch
    {
        public override bool Evaluate(ICelRequest request) => Left.Evaluate(request) && Right.Evaluate(request);
        public override IEnumerable<string> Headers() => Left.Headers().Concat(Right.Headers());
    }

    public sealed record Or(CelMatch Left, CelMatch Right) : CelMatch
    {
        public override bool Evaluate(ICelRequest request) => Left.Evaluate(request) || Right.Evaluate(request);
        public override IEnumerable<string> Headers() => Left.Headers().Concat(Right.Headers());
    }

    public sealed record Not(CelMatch Inner) : CelMatch
    {
        public override bool Evaluate(ICelRequest request) => !Inner.Evaluate(request);
        public override IEnumerable<string> Headers() => Inner.Headers();
    }

    public sealed record Constant(bool Value) : CelMatch
    {
        public override bool Evaluate(ICelRequest request) => Value;
        public override IEnumerable<string> Headers() => [];
    }

    private sealed class Parser(string s)
    {
        private int _i;

        public bool AtEnd => _i >= s.Length;
        public string Rest => s[_i..];

        public void SkipSpace()
        {
            while (_i < s.Length && char.IsWhiteSpace(s[_i])) _i++;
        }

        private bool Take(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(s, _i, token, 0, token.Length) != 0) return false;
            _i += token.Length;
            return true;
        }

        private void Expect(string token)
        {
            if (!Take(token)) throw new FormatException(AtEnd ? $"expected '{token}' at the end" : $"expected '{token}' at '{Rest}'");
        }

        public CelMatch ParseOr()
        {
            var left = ParseAnd();
            while (Take("||")) left = new Or(left, ParseAnd());
            return left;
        }

        private CelMatch ParseAnd()
        {
            var left = ParseUnary();
            while (Take("&&")) left = new And(left, ParseUnary());
            return left;
        }

        private CelMatch ParseUnary()
        {
            SkipSpace();
            if (_i + 1 < s.Length && s[_i] == '!' && s[_i + 1] != '=')
            {
                _i++;
                return new Not(ParseUnary());
            }
            if (Take("("))
            {
                var inner = ParseOr();
                Expect(")");
                return inner;
            }
            if (TakeWord("true")) return new Constant(true);
            if (TakeWord("false")) return new Constant(false);
            SkipSpace();
            if (!AtEnd && s[_i] is '\'' or '"')
            {
                var name = ParseString();
                if (!TakeWord("in")) throw new FormatException($"expected 'in request.headers' after '{name}'");
                if (!TakeWord("request.headers")) throw new FormatException("only 'in request.headers' is supported");
                return new HeaderPresent(name.ToLowerInvariant());
            }
            if (TakeWord("request.headers"))
            {
                Expect("[");
                var name = ParseString().ToLowerInvariant();
                Expect("]");
                var (negate, value) = StringComparison();
                return new HeaderEquals(name, value, negate);
            }
            foreach (var (word, attribute) in new[] { ("request.method", CelAttribute.Method), ("request.path", CelAttribute.Path), ("request.host", CelAttribute.Host) })
            {
                if (!TakeWord(word)) continue;
                var (negate, value) = StringComparison();
                return new AttributeEquals(attribute, value, negate);
            }
            if (TakeWord("response.code"))
            {
                string op;
                if (Take("==")) op = "==";
                else if (Take("!=")) op = "!=";
                else if (Take("<=")) op = "<=";
                else if (Take(">=")) op = ">=";
                else if (Take("<")) op = "<";
                else if (Take(">")) op = ">";
                else throw new FormatException("response.code must be compared (== != < <= > >=) with an integer");
                return new CodeCompare(op, ParseInt());
            }
            throw new FormatException(AtEnd ? "expression ends early" : $"'{Rest}' is not supported (supported: 'h' in request.headers, request.headers['h'] ==/!= 'v', request.method|path|host ==/!= 'v', response.code compared with an integer, && || ! and parentheses)");
        }

        private (bool Negate, string Value) StringComparison()
        {
            bool negate;
            if (Take("==")) negate = false;
            else if (Take("!=")) negate = true;
            else throw new FormatException("expected == or != and a string");
            SkipSpace();
            return (negate, ParseString());
        }

        private bool TakeWord(string word)
        {
            SkipSpace();
            if (string.CompareOrdinal(s, _i, word, 0, word.Length) != 0) return false;
            var end = _i + word.Length;
            if (end < s.Length && (char.IsAsciiLetterOrDigit(s[end]) || s[end] is '_' or '.')) return false;
            _i = end;
            return true;
        }

        private string ParseString()
        {
            SkipSpace();
            if (AtEnd || s[_i] is not ('\'' or '"')) throw new FormatException(AtEnd ? "expected a string at the end" : $"expected a string at '{Rest}'");
            var quote = s[_i++];
            var sb = new System.Text.StringBuilder();
            while (_i < s.Length && s[_i] != quote)
            {
                if (s[_i] == '\\' && _i + 1 < s.Length) _i++;
                sb.Append(s[_i++]);
            }
            if (AtEnd) throw new FormatException("unterminated string");
            _i++;
            return sb.ToString();
        }

        private int ParseInt()
        {
            SkipSpace();
            var start = _i;
            if (_i < s.Length && s[_i] == '-') _i++;
            while (_i < s.Length && char.IsAsciiDigit(s[_i])) _i++;
            if (!int.TryParse(s.AsSpan(start, _i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                throw new FormatException(AtEnd ? "expected an integer at the end" : $"expected an integer at '{Rest}'");
            if (_i < s.Length && s[_i] == 'u') _i++; // CEL unsigned literal
            return v;
        }
    }
}
