namespace Causeway.Model.Schema.Cel;

/// <summary>The comprehension macros: <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>, <c>filter</c>.</summary>
internal sealed class CelComprehension(string macro, CelExpr target, string variable, CelExpr first, CelExpr? second) : CelExpr
{
    public override object? Eval(CelEnv env)
    {
        var range = target.Eval(env);
        switch (macro)
        {
            case "all":
            case "exists":
            {
                var stopOn = macro == "exists";
                CelException? error = null;
                foreach (var item in CelRuntime.Iterate(range))
                {
                    try
                    {
                        if (CelRuntime.AsBool(first.Eval(new CelEnv(variable, item, env))) == stopOn)
                        {
                            return CelBoxes.Bool(stopOn);
                        }
                    }
                    catch (CelException e)
                    {
                        error ??= e;
                    }
                }

                if (error is not null)
                {
                    throw error;
                }

                return CelBoxes.Bool(!stopOn);
            }

            case "exists_one":
            {
                var count = 0;
                foreach (var item in CelRuntime.Iterate(range))
                {
                    if (CelRuntime.AsBool(first.Eval(new CelEnv(variable, item, env))))
                    {
                        count++;
                    }
                }

                return CelBoxes.Bool(count == 1);
            }

            case "filter":
            {
                var result = new List<object?>();
                foreach (var item in CelRuntime.Iterate(range))
                {
                    if (CelRuntime.AsBool(first.Eval(new CelEnv(variable, item, env))))
                    {
                        result.Add(item);
                    }
                }

                return result;
            }

            case "map":
            {
                var result = new List<object?>();
                foreach (var item in CelRuntime.Iterate(range))
                {
                    var inner = new CelEnv(variable, item, env);
                    if (second is null)
                    {
                        result.Add(first.Eval(inner));
                    }
                    else if (CelRuntime.AsBool(first.Eval(inner)))
                    {
                        result.Add(second.Eval(inner));
                    }
                }

                return result;
            }

            default:
                throw new CelException($"unknown macro {macro}");
        }
    }

    public override IEnumerable<CelExpr> Children() => second is null ? [target, first] : [target, first, second];
}
