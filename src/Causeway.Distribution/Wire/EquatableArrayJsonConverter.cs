using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Causeway.Model;

namespace Causeway.Distribution.Wire;

/// <summary>Reads and writes <see cref="EquatableArray{T}"/> as a JSON array (System.Text.Json cannot construct it alone).</summary>
internal sealed class EquatableArrayJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(EquatableArray<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class Converter<T> : JsonConverter<EquatableArray<T>>
    {
        public override EquatableArray<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return EquatableArray<T>.Empty;
            var items = JsonSerializer.Deserialize<ImmutableArray<T>>(ref reader, options);
            return new EquatableArray<T>(items.IsDefault ? ImmutableArray<T>.Empty : items);
        }

        public override void Write(Utf8JsonWriter writer, EquatableArray<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.AsImmutableArray(), options);
    }
}
