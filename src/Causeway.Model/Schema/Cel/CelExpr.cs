namespace Causeway.Model.Schema.Cel;

/// <summary>A node of a compiled CEL expression tree; evaluation is a virtual call per node.</summary>
internal abstract class CelExpr
{
    public abstract object? Eval(CelEnv env);

    /// <summary>Visits this node and all descendants.</summary>
    public abstract IEnumerable<CelExpr> Children();

    public IEnumerable<CelExpr> DescendantsAndSelf()
    {
        yield return this;
        foreach (var c in Children())
        {
            foreach (var d in c.DescendantsAndSelf())
            {
                yield return d;
            }
        }
    }
}

internal sealed class CelLiteral(object? value) : CelExpr
{
    public object? Value { get; } = value;

    public override object? Eval(CelEnv env) => Value;

    public override IEnumerable<CelExpr> Children() => [];
}

internal sealed class CelIdent(string name) : CelExpr
{
    public string Name { get; } = name;

    public override object? Eval(CelEnv env) => env.Lookup(Name);

    public override IEnumerable<CelExpr> Children() => [];
}

/// <summary>Field selection <c>a.b</c>, or the presence test <c>has(a.b)</c> when <see cref="TestOnly"/>.</summary>
internal sealed class CelSelect(CelExpr operand, string field, bool testOnly) : CelExpr
{
    public CelExpr Operand { get; } = operand;

    public string Field { get; } = field;

    public bool TestOnly { get; } = testOnly;

    public override object? Eval(CelEnv env)
    {
        var o = Operand.Eval(env);
        return TestOnly ? CelRuntime.Has(o, Field) : CelRuntime.Select(o, Field);
    }

    public override IEnumerable<CelExpr> Children() => [Operand];
}

internal sealed class CelIndex(CelExpr operand, CelExpr index) : CelExpr
{
    public override object? Eval(CelEnv env) => CelRuntime.Index(operand.Eval(env), index.Eval(env));

    public override IEnumerable<CelExpr> Children() => [operand, index];
}

internal sealed class CelConditional(CelExpr cond, CelExpr then, CelExpr otherwise) : CelExpr
{
    public override object? Eval(CelEnv env) =>
        CelRuntime.AsBool(cond.Eval(env)) ? then.Eval(env) : otherwise.Eval(env);

    public override IEnumerable<CelExpr> Children() => [cond, then, otherwise];
}

/// <summary><c>&amp;&amp;</c> / <c>||</c> with CEL's commutative error semantics.</summary>
internal sealed class CelLogical(bool isAnd, CelExpr left, CelExpr right) : CelExpr
{
    public override object? Eval(CelEnv env)
    {
        // The value that short-circuits: false for &&, true for ||.
        var shortValue = !isAnd;
        CelException? error = null;
        try
        {
            if (CelRuntime.AsBool(left.Eval(env)) == shortValue)
            {
                return CelBoxes.Bool(shortValue);
            }
        }
        catch (CelException e)
        {
            error = e;
        }

        try
        {
            if (CelRuntime.AsBool(right.Eval(env)) == shortValue)
            {
                return CelBoxes.Bool(shortValue);
            }
        }
        catch (CelException) when (error is not null)
        {
            // Both sides failed: like cel-go, the first error wins.
        }

        if (error is not null)
        {
            throw error;
        }

        return CelBoxes.Bool(!shortValue);
    }

    public override IEnumerable<CelExpr> Children() => [left, right];
}

internal sealed class CelNot(CelExpr operand) : CelExpr
{
    public override object? Eval(CelEnv env) => CelBoxes.Bool(!CelRuntime.AsBool(operand.Eval(env)));

    public override IEnumerable<CelExpr> Children() => [operand];
}

internal sealed class CelNegate(CelExpr operand) : CelExpr
{
    public override object? Eval(CelEnv env) => CelRuntime.Negate(operand.Eval(env));

    public override IEnumerable<CelExpr> Children() => [operand];
}

internal sealed class CelBinary(string op, CelExpr left, CelExpr right) : CelExpr
{
    private readonly int _op = Array.IndexOf(Ops, op) is var i and >= 0 ? i : throw new CelCompileException($"unknown operator {op}");

    private static readonly string[] Ops = ["==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%"];

    public string Op { get; } = op;

    public override object? Eval(CelEnv env)
    {
        var l = left.Eval(env);
        var r = right.Eval(env);
        return _op switch
        {
            0 => CelBoxes.Bool(CelRuntime.ValueEquals(l, r)),
            1 => CelBoxes.Bool(!CelRuntime.ValueEquals(l, r)),
            2 => CelBoxes.Bool(CelRuntime.Compare(l, r) < 0),
            3 => CelBoxes.Bool(CelRuntime.Compare(l, r) <= 0),
            4 => CelBoxes.Bool(CelRuntime.Compare(l, r) > 0),
            5 => CelBoxes.Bool(CelRuntime.Compare(l, r) >= 0),
            6 => CelBoxes.Bool(CelRuntime.In(l, r)),
            7 => CelRuntime.Add(l, r),
            _ => CelRuntime.Arith(Op, l, r),
        };
    }

    public override IEnumerable<CelExpr> Children() => [left, right];
}

internal sealed class CelListLiteral(CelExpr[] elements) : CelExpr
{
    public override object? Eval(CelEnv env)
    {
        var list = new object?[elements.Length];
        for (var i = 0; i < elements.Length; i++)
        {
            list[i] = elements[i].Eval(env);
        }

        return list;
    }

    public override IEnumerable<CelExpr> Children() => elements;
}

internal sealed class CelMapLiteral((CelExpr Key, CelExpr Value)[] entries) : CelExpr
{
    public override object? Eval(CelEnv env)
    {
        var map = new Dictionary<object, object?>(CelRuntime.KeyComparer);
        foreach (var (k, v) in entries)
        {
            var key = k.Eval(env) ?? throw new CelException("unsupported map key type: null");
            if (!map.TryAdd(key, v.Eval(env)))
            {
                throw new CelException($"Failed with repeated key: {CelRuntime.Format(key)}");
            }
        }

        return map;
    }

    public override IEnumerable<CelExpr> Children() => entries.SelectMany(e => new[] { e.Key, e.Value });
}

/// <summary>A function or method call, resolved to its implementation at compile time.</summary>
internal sealed class CelCall(string name, CelExpr? target, CelExpr[] args, CelFunction impl) : CelExpr
{
    public string Name { get; } = name;

    public override object? Eval(CelEnv env)
    {
        var t = target?.Eval(env);
        var a = args.Length == 0 ? [] : new object?[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            a[i] = args[i].Eval(env);
        }

        return impl(t, a);
    }

    public override IEnumerable<CelExpr> Children() => target is null ? args : args.Prepend(target);
}

internal delegate object? CelFunction(object? target, object?[] args);
