using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Causeway.Model.Schema.Cel;

/// <summary>
/// CEL runtime value model and operators. Values are: <c>null</c>, <see cref="bool"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="string"/>, <see cref="TimeSpan"/> (duration), lists
/// (<see cref="JsonArray"/> or <see cref="IReadOnlyList{T}"/> of values) and maps (<see cref="JsonObject"/> or
/// <see cref="Dictionary{TKey,TValue}"/>). JSON scalars are converted on access.
/// </summary>
internal static class CelRuntime
{
    public static readonly IEqualityComparer<object> KeyComparer = new CelKeyComparer();

    public static object? FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null: return null;
            case JsonObject or JsonArray: return node;
            case JsonValue v:
                var kind = JsonNumbers.Kind(v);
                switch (kind)
                {
                    case JsonValueKind.String: return v.GetValue<string>();
                    case JsonValueKind.True: return CelBoxes.True;
                    case JsonValueKind.False: return CelBoxes.False;
                    case JsonValueKind.Null: return null;
                    case JsonValueKind.Number:
                        if (JsonNumbers.TryGetInt64(v, out var l))
                        {
                            return CelBoxes.Long(l);
                        }

                        return JsonNumbers.GetDouble(v);
                }

                break;
        }

        throw new CelException("unsupported JSON value");
    }

    public static bool AsBool(object? v) =>
        v is bool b ? b : throw new CelException($"no such overload: expected bool, got {TypeName(v)}");

    public static string TypeName(object? v) => v switch
    {
        null => "null_type",
        bool => "bool",
        long => "int",
        double => "double",
        string => "string",
        TimeSpan => "google.protobuf.Duration",
        JsonArray or IReadOnlyList<object?> => "list",
        JsonObject or Dictionary<object, object?> => "map",
        _ => v.GetType().Name,
    };

    public static object? Select(object? o, string field)
    {
        switch (o)
        {
            case JsonObject obj:
                if (obj.TryGetPropertyValue(field, out var n))
                {
                    return FromJson(n);
                }

                throw new CelException($"no such key: {field}");
            case Dictionary<object, object?> map:
                return map.TryGetValue(field, out var v) ? v : throw new CelException($"no such key: {field}");
            default:
                throw new CelException($"no such key: {field} (type {TypeName(o)} does not support field selection)");
        }
    }

    public static bool Has(object? o, string field) => o switch
    {
        JsonObject obj => obj.TryGetPropertyValue(field, out var n) && n is not null,
        Dictionary<object, object?> map => map.ContainsKey(field),
        _ => throw new CelException($"invalid type for field selection: {TypeName(o)}"),
    };

    public static object? Index(object? o, object? idx)
    {
        switch (o)
        {
            case JsonArray arr:
                return FromJson(arr[ListIndex(idx, arr.Count)]);
            case IReadOnlyList<object?> list:
                return list[ListIndex(idx, list.Count)];
            case JsonObject or Dictionary<object, object?> when idx is string s:
                return Select(o, s);
            case Dictionary<object, object?> map when idx is not null:
                return map.TryGetValue(idx, out var v) ? v : throw new CelException($"no such key: {Format(idx)}");
            default:
                throw new CelException($"no such overload: {TypeName(o)}[{TypeName(idx)}]");
        }
    }

    private static int ListIndex(object? idx, int count)
    {
        var i = idx switch
        {
            long l => l,
            double d when d == Math.Floor(d) => (long)d,
            _ => throw new CelException($"unsupported index type: {TypeName(idx)}"),
        };
        if (i < 0 || i >= count)
        {
            throw new CelException($"index out of bounds: {i}");
        }

        return (int)i;
    }

    public static long Size(object? o) => o switch
    {
        string s => RuneCount(s),
        JsonArray a => a.Count,
        IReadOnlyList<object?> l => l.Count,
        JsonObject m => m.Count,
        Dictionary<object, object?> d => d.Count,
        _ => throw new CelException($"no such overload: size({TypeName(o)})"),
    };

    private static long RuneCount(string s)
    {
        if (!s.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return s.Length; // no surrogates: one rune per char
        }

        var n = 0;
        foreach (var _ in s.EnumerateRunes())
        {
            n++;
        }

        return n;
    }

    public static IEnumerable<object?> Iterate(object? o)
    {
        switch (o)
        {
            case JsonArray a:
                return a.Select(FromJson);
            case IReadOnlyList<object?> l:
                return l;
            case JsonObject m:
                return m.Select(kv => (object?)kv.Key);
            case Dictionary<object, object?> d:
                return d.Keys;
            default:
                throw new CelException($"expression of type '{TypeName(o)}' cannot be range of a comprehension");
        }
    }

    public static bool In(object? elem, object? container)
    {
        switch (container)
        {
            case JsonObject m:
                return elem is string s && m.ContainsKey(s);
            case Dictionary<object, object?> d:
                return elem is not null && d.ContainsKey(elem);
            case object?[] constants:
                foreach (var item in constants)
                {
                    if (ValueEquals(elem, item))
                    {
                        return true;
                    }
                }

                return false;
            case JsonArray or IReadOnlyList<object?>:
                foreach (var item in Iterate(container))
                {
                    if (ValueEquals(elem, item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                throw new CelException($"no such overload: {TypeName(elem)} in {TypeName(container)}");
        }
    }

    public static bool ValueEquals(object? a, object? b)
    {
        switch (a)
        {
            case null: return b is null;
            case string s: return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case bool x: return b is bool y && x == y;
            case long or double when b is long or double: return ToDouble(a) == ToDouble(b!) && (a is not long la || b is not long lb || la == lb);
            case TimeSpan ts: return b is TimeSpan tb && ts == tb;
            case JsonArray or IReadOnlyList<object?>:
            {
                if (b is not (JsonArray or IReadOnlyList<object?>) || Size(a) != Size(b))
                {
                    return false;
                }

                return Iterate(a).Zip(Iterate(b)).All(p => ValueEquals(p.First, p.Second));
            }

            case JsonObject or Dictionary<object, object?>:
            {
                if (b is not (JsonObject or Dictionary<object, object?>) || Size(a) != Size(b))
                {
                    return false;
                }

                foreach (var key in Iterate(a))
                {
                    if (!In(key, b) || !ValueEquals(Index(a, key), Index(b, key)))
                    {
                        return false;
                    }
                }

                return true;
            }

            default: return Equals(a, b);
        }
    }

    public static int Compare(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long or double, long or double) => ToDouble(a).CompareTo(ToDouble(b)),
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) => x.CompareTo(y),
        (TimeSpan x, TimeSpan y) => x.CompareTo(y),
        _ => throw new CelException($"no such overload: comparison of {TypeName(a)} and {TypeName(b)}"),
    };

    public static object? Add(object? a, object? b)
    {
        switch (a, b)
        {
            case (string x, string y): return x + y;
            case (TimeSpan x, TimeSpan y): return x + y;
            case (JsonArray or IReadOnlyList<object?>, JsonArray or IReadOnlyList<object?>):
                return Iterate(a).Concat(Iterate(b)).ToList();
            default: return Arith("+", a, b);
        }
    }

    public static object? Arith(string op, object? a, object? b)
    {
        if (a is long x && b is long y)
        {
            try
            {
                return op switch
                {
                    "+" => checked(x + y),
                    "-" => checked(x - y),
                    "*" => checked(x * y),
                    "/" => y == 0 ? throw new CelException("division by zero") : x / y,
                    "%" => y == 0 ? throw new CelException("modulus by zero") : x % y,
                    _ => throw new CelException($"no such overload: {op}"),
                };
            }
            catch (OverflowException)
            {
                throw new CelException("integer overflow");
            }
        }

        if (a is double dx && b is double dy)
        {
            return op switch
            {
                "+" => dx + dy,
                "-" => dx - dy,
                "*" => dx * dy,
                "/" => dx / dy,
                _ => throw new CelException($"no such overload: double {op} double"),
            };
        }

        if (op == "-" && a is TimeSpan ta && b is TimeSpan tb)
        {
            return ta - tb;
        }

        throw new CelException($"no such overload: {TypeName(a)} {op} {TypeName(b)}");
    }

    public static object? Negate(object? a) => a switch
    {
        long l => l == long.MinValue ? throw new CelException("integer overflow") : -l,
        double d => -d,
        TimeSpan t => -t,
        _ => throw new CelException($"no such overload: -{TypeName(a)}"),
    };

    public static string Format(object? v) => v switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        TimeSpan t => CelDuration.Format(t),
        JsonNode n => n.ToJsonString(),
        IReadOnlyList<object?> l => "[" + string.Join(", ", l.Select(Format)) + "]",
        _ => v.ToString() ?? "",
    };

    private static double ToDouble(object v) => v is long l ? l : (double)v;

    private sealed class CelKeyComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) => ValueEquals(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            long l => ((double)l).GetHashCode(),
            double d => d.GetHashCode(),
            _ => obj.GetHashCode(),
        };
    }
}
