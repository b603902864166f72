using System.Text.RegularExpressions;

namespace Causeway.Model.Schema.Cel;

/// <summary>
/// Recursive-descent parser for CEL producing an evaluable <see cref="CelExpr"/> tree. Identifiers are checked
/// against the bound variables (<c>self</c>, <c>oldSelf</c> and comprehension variables) and calls are resolved
/// against <see cref="CelFunctions"/>, so anything unsupported fails at compile time.
/// </summary>
internal sealed class CelParser
{
    private static readonly HashSet<string> Reserved =
    [
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
        "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    ];

    private static readonly HashSet<string> Macros = ["all", "exists", "exists_one", "map", "filter"];

    private readonly List<CelToken> _tokens;
    private readonly Func<string, Regex> _regexFactory;
    private readonly List<string> _scope = [];
    private int _pos;

    private CelParser(string source, Func<string, Regex> regexFactory)
    {
        _tokens = CelLexer.Tokenize(source);
        _regexFactory = regexFactory;
    }

    /// <summary>Whether the expression references <c>oldSelf</c> (a transition rule).</summary>
    public bool UsesOldSelf { get; private set; }

    public static (CelExpr Expr, bool UsesOldSelf) Parse(string source, IEnumerable<string> variables, Func<string, Regex> regexFactory)
    {
        var p = new CelParser(source, regexFactory);
        p._scope.AddRange(variables);
        var e = p.ParseExpr();
        if (p.Peek.Kind != CelTokenKind.End)
        {
            throw new CelCompileException($"Syntax error: unexpected '{p.Peek.Text}' at {p.Peek.Position}");
        }

        return (e, p.UsesOldSelf);
    }

    /// <summary>Undoes the Kubernetes escaping of property names in CEL (<c>__namespace__</c>, <c>__dash__</c>, ...).</summary>
    public static string UnescapeField(string name)
    {
        if (!name.Contains("__", StringComparison.Ordinal))
        {
            return name;
        }

        if (name.Length > 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal) &&
            Reserved.Contains(name[2..^2]))
        {
            return name[2..^2];
        }

        return name.Replace("__underscores__", "\u0001", StringComparison.Ordinal)
            .Replace("__dot__", ".", StringComparison.Ordinal)
            .Replace("__dash__", "-", StringComparison.Ordinal)
            .Replace("__slash__", "/", StringComparison.Ordinal)
            .Replace("\u0001", "__", StringComparison.Ordinal);
    }

    private CelToken Peek => _tokens[_pos];

    private bool IsPunct(string p) => Peek.Kind == CelTokenKind.Punct && Peek.Text == p;

    private bool Accept(string p)
    {
        if (IsPunct(p))
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void Expect(string p)
    {
        if (!Accept(p))
        {
            throw new CelCompileException($"Syntax error: expected '{p}' but found '{Peek.Text}' at {Peek.Position}");
        }
    }

    private CelExpr ParseExpr()
    {
        var cond = ParseOr();
        if (Accept("?"))
        {
            var then = ParseOr();
            Expect(":");
            var otherwise = ParseExpr();
            return new CelConditional(cond, then, otherwise);
        }

        return cond;
    }

    private CelExpr ParseOr()
    {
        var left = ParseAnd();
        while (Accept("||"))
        {
            left = new CelLogical(false, left, ParseAnd());
        }

        return left;
    }

    private CelExpr ParseAnd()
    {
        var left = ParseRelation();
        while (Accept("&&"))
        {
            left = new CelLogical(true, left, ParseRelation());
        }

        return left;
    }

    private CelExpr ParseRelation()
    {
        var left = ParseAddition();
        while (true)
        {
            string op;
            if (Peek.Kind == CelTokenKind.Punct && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                op = Peek.Text;
            }
            else if (Peek.Kind == CelTokenKind.Ident && Peek.Text == "in")
            {
                op = "in";
            }
            else
            {
                return left;
            }

            _pos++;
            left = new CelBinary(op, left, ParseAddition());
        }
    }

    private CelExpr ParseAddition()
    {
        var left = ParseMultiplication();
        while (Peek.Kind == CelTokenKind.Punct && Peek.Text is "+" or "-")
        {
            var op = _tokens[_pos++].Text;
            left = new CelBinary(op, left, ParseMultiplication());
        }

        return left;
    }

    private CelExpr ParseMultiplication()
    {
        var left = ParseUnary();
        while (Peek.Kind == CelTokenKind.Punct && Peek.Text is "*" or "/" or "%")
        {
            var op = _tokens[_pos++].Text;
            left = new CelBinary(op, left, ParseUnary());
        }

        return left;
    }

    private CelExpr ParseUnary()
    {
        if (Accept("!"))
        {
            return new CelNot(ParseUnary());
        }

        if (Accept("-"))
        {
            // Fold negative numeric literals so that -9223372036854775808 style literals stay exact.
            var operand = ParseUnary();
            return operand switch
            {
                CelLiteral { Value: long l } => new CelLiteral(-l),
                CelLiteral { Value: double d } => new CelLiteral(-d),
                _ => new CelNegate(operand),
            };
        }

        return ParseMember();
    }

    private CelExpr ParseMember()
    {
        var e = ParsePrimary();
        while (true)
        {
            if (Accept("."))
            {
                var name = ExpectIdent();
                if (Accept("("))
                {
                    e = ParseMethodCall(e, name);
                }
                else
                {
                    e = new CelSelect(e, UnescapeField(name), testOnly: false);
                }
            }
            else if (Accept("["))
            {
                var idx = ParseExpr();
                Expect("]");
                e = new CelIndex(e, idx);
            }
            else
            {
                return e;
            }
        }
    }

    private CelExpr ParseMethodCall(CelExpr target, string name)
    {
        if (Macros.Contains(name))
        {
            var variable = ExpectIdent();
            Expect(",");
            _scope.Add(variable);
            var first = ParseExpr();
            CelExpr? second = null;
            if (name == "map" && Accept(","))
            {
                second = ParseExpr();
            }

            _scope.RemoveAt(_scope.Count - 1);
            Expect(")");
            return new CelComprehension(name, target, variable, first, second);
        }

        var args = ParseArgs();
        return new CelCall(name, target, args, CelFunctions.Resolve(name, isMethod: true, args, _regexFactory));
    }

    private CelExpr[] ParseArgs()
    {
        var args = new List<CelExpr>();
        if (!Accept(")"))
        {
            do
            {
                args.Add(ParseExpr());
            }
            while (Accept(","));
            Expect(")");
        }

        return [.. args];
    }

    private string ExpectIdent()
    {
        if (Peek.Kind != CelTokenKind.Ident)
        {
            throw new CelCompileException($"Syntax error: expected identifier but found '{Peek.Text}' at {Peek.Position}");
        }

        return _tokens[_pos++].Text;
    }

    private CelExpr ParsePrimary()
    {
        var t = _tokens[_pos++];
        switch (t.Kind)
        {
            case CelTokenKind.Int:
            case CelTokenKind.UInt:
            case CelTokenKind.Double:
            case CelTokenKind.String:
                return new CelLiteral(t.Value);
            case CelTokenKind.Bytes:
                throw new CelCompileException("unsupported: bytes literals");
            case CelTokenKind.Ident:
                return ParseIdent(t);
            case CelTokenKind.Punct when t.Text == "(":
            {
                var e = ParseExpr();
                Expect(")");
                return e;
            }

            case CelTokenKind.Punct when t.Text == "[":
            {
                var elements = new List<CelExpr>();
                if (!Accept("]"))
                {
                    do
                    {
                        if (IsPunct("]"))
                        {
                            break; // trailing comma
                        }

                        elements.Add(ParseExpr());
                    }
                    while (Accept(","));
                    Expect("]");
                }

                if (elements.All(e => e is CelLiteral))
                {
                    // Constant list: build it once.
                    return new CelLiteral(elements.Select(e => ((CelLiteral)e).Value).ToArray());
                }

                return new CelListLiteral([.. elements]);
            }

            case CelTokenKind.Punct when t.Text == "{":
            {
                var entries = new List<(CelExpr, CelExpr)>();
                if (!Accept("}"))
                {
                    do
                    {
                        if (IsPunct("}"))
                        {
                            break;
                        }

                        var k = ParseExpr();
                        Expect(":");
                        entries.Add((k, ParseExpr()));
                    }
                    while (Accept(","));
                    Expect("}");
                }

                return new CelMapLiteral([.. entries]);
            }

            default:
                throw new CelCompileException($"Syntax error: unexpected '{t.Text}' at {t.Position}");
        }
    }

    private CelExpr ParseIdent(CelToken t)
    {
        switch (t.Text)
        {
            case "true": return new CelLiteral(true);
            case "false": return new CelLiteral(false);
            case "null": return new CelLiteral(null);
        }

        if (Accept("("))
        {
            if (t.Text == "has")
            {
                var arg = ParseExpr();
                Expect(")");
                if (arg is not CelSelect sel || sel.TestOnly)
                {
                    throw new CelCompileException("invalid argument to has() macro");
                }

                return new CelSelect(sel.Operand, sel.Field, testOnly: true);
            }

            var args = ParseArgs();
            return new CelCall(t.Text, null, args, CelFunctions.Resolve(t.Text, isMethod: false, args, _regexFactory));
        }

        if (t.Text == "oldSelf")
        {
            UsesOldSelf = true;
        }

        if (!_scope.Contains(t.Text))
        {
            throw new CelCompileException($"undeclared reference to '{t.Text}'");
        }

        return new CelIdent(t.Text);
    }
}
