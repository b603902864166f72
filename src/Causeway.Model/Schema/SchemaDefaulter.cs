using System.Text.Json.Nodes;

namespace Causeway.Model.Schema;

/// <summary>
/// Structural defaulting as the API server does it: a property's <c>default</c> is applied when the property is
/// absent (or null and not nullable) in a present object, recursively (including inside array items and map
/// values, and inside values that were themselves just defaulted).
/// </summary>
internal static class SchemaDefaulter
{
    public static void Apply(JsonNode? node, SchemaNode s)
    {
        switch (node)
        {
            case JsonObject obj:
                if (s.Properties is { } props)
                {
                    foreach (var (name, prop) in s.DefaultedProperties)
                    {
                        if (!obj.TryGetPropertyValue(name, out var existing) || (existing is null && !prop.Nullable))
                        {
                            obj[name] = prop.Default!.DeepClone();
                        }
                    }

                    foreach (var (name, value) in obj)
                    {
                        if (value is not null && props.TryGetValue(name, out var prop) && prop.SubtreeHasDefaults)
                        {
                            Apply(value, prop);
                        }
                    }
                }
                else if (s.AdditionalProperties is { } ap && (ap.SubtreeHasDefaults || ap.HasDefault))
                {
                    List<string>? nulls = null;
                    foreach (var (name, value) in obj)
                    {
                        if (value is null && !ap.Nullable && ap.HasDefault)
                        {
                            (nulls ??= []).Add(name);
                        }
                        else if (ap.SubtreeHasDefaults)
                        {
                            Apply(value, ap);
                        }
                    }

                    foreach (var name in nulls ?? [])
                    {
                        obj[name] = ap.Default?.DeepClone();
                        Apply(obj[name], ap);
                    }
                }

                break;
            case JsonArray arr when s.Items is { } items:
                for (var i = 0; i < arr.Count; i++)
                {
                    if (arr[i] is null && !items.Nullable && items.HasDefault && items.Default is not null)
                    {
                        arr[i] = items.Default.DeepClone();
                    }

                    if (items.SubtreeHasDefaults)
                    {
                        Apply(arr[i], items);
                    }
                }

                break;
        }
    }
}
