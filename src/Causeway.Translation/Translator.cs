using Causeway.Model.Snapshot;

namespace Causeway.Translation;

/// <summary>
/// The pure translator: a snapshot of resources in, an IR per Gateway and the status of every object out.
/// No I/O, no clock, no randomness: the same input gives the same output.
/// </summary>
public static class Translator
{
    public static TranslationResult Translate(ResourceSnapshot snapshot, TranslatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        return new TranslationResult();
    }
}
