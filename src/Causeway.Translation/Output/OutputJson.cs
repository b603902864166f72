using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Causeway.Translation.Output;

/// <summary>
/// The JSON shape Causeway shows to people and tools (admin API, <c>causeway translate</c>): camelCase, enums as
/// strings, nulls omitted, times as RFC 3339 UTC. Any property whose name mentions a private key is never written,
/// whatever type it is on, as a second line of defence behind <c>[JsonIgnore]</c>.
/// </summary>
public static class OutputJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: true);

    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DropSecretProperties } },
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new Rfc3339Converter());
        options.Converters.Add(new SecretTextConverter());
        options.MakeReadOnly();
        return options;
    }

    private static void DropSecretProperties(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var name = info.Properties[i].Name;
            if (name.Contains("privatekey", StringComparison.OrdinalIgnoreCase)
                || name.Contains("private_key", StringComparison.OrdinalIgnoreCase))
                info.Properties.RemoveAt(i);
        }
    }

    /// <summary>A <see cref="Ir.SecretText"/> as its fingerprint only: the value is never written.</summary>
    private sealed class SecretTextConverter : JsonConverter<Ir.SecretText>
    {
        public override Ir.SecretText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("secrets are not read back from output documents");

        public override void Write(Utf8JsonWriter writer, Ir.SecretText value, JsonSerializerOptions options) =>
            writer.WriteStringValue("<redacted " + value.Fingerprint + ">");
    }

    /// <summary>Kubernetes' time format: <c>2024-05-01T12:00:00Z</c>.</summary>
    private sealed class Rfc3339Converter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }
}
