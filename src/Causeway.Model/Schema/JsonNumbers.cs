using System.Text.Json;
using System.Text.Json.Nodes;

namespace Causeway.Model.Schema;

/// <summary>Reads numbers out of <see cref="JsonValue"/>s whatever their backing representation.</summary>
internal static class JsonNumbers
{
    /// <summary>
    /// The JSON kind of a value, cheaply: <see cref="JsonValue.GetValueKind"/> serializes non-element-backed
    /// values to find out, so try the common CLR representations first.
    /// </summary>
    public static JsonValueKind Kind(JsonValue v)
    {
        if (v.TryGetValue<JsonElement>(out var e))
        {
            return e.ValueKind;
        }

        if (v.TryGetValue<string>(out _))
        {
            return JsonValueKind.String;
        }

        if (v.TryGetValue<bool>(out var b))
        {
            return b ? JsonValueKind.True : JsonValueKind.False;
        }

        if (v.TryGetValue<long>(out _) || v.TryGetValue<int>(out _) || v.TryGetValue<double>(out _))
        {
            return JsonValueKind.Number;
        }

        return v.GetValueKind();
    }

    public static bool TryGetInt64(JsonValue v, out long value)
    {
        if (v.TryGetValue<JsonElement>(out var e))
        {
            return e.TryGetInt64(out value);
        }

        if (v.TryGetValue(out value))
        {
            return true;
        }

        if (v.TryGetValue<int>(out var i))
        {
            value = i;
            return true;
        }

        if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue)
        {
            value = (long)d;
            return true;
        }

        if (v.TryGetValue<decimal>(out var m) && m == decimal.Floor(m) && m >= long.MinValue && m <= long.MaxValue)
        {
            value = (long)m;
            return true;
        }

        if (v.TryGetValue<ulong>(out var u) && u <= long.MaxValue)
        {
            value = (long)u;
            return true;
        }

        value = 0;
        return false;
    }

    public static double GetDouble(JsonValue v)
    {
        if (v.TryGetValue<JsonElement>(out var e))
        {
            return e.GetDouble();
        }

        if (v.TryGetValue<double>(out var d))
        {
            return d;
        }

        if (v.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (v.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (v.TryGetValue<decimal>(out var m))
        {
            return (double)m;
        }

        if (v.TryGetValue<float>(out var f))
        {
            return f;
        }

        return double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the JSON number is integral (e.g. <c>3</c> or <c>3.0</c>); such values satisfy <c>type: integer</c>.</summary>
    public static bool IsIntegral(JsonValue v, out long value)
    {
        if (TryGetInt64(v, out value))
        {
            return true;
        }

        var d = GetDouble(v);
        if (d == Math.Floor(d) && !double.IsInfinity(d))
        {
            value = d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)d;
            return true;
        }

        return false;
    }
}
