namespace DeepLearning.Tests.Training;

public class CallbackTests
{
    public static TheoryData<string, string[], string, string?> MissingKeys() => new()
    {
        // A typo of a key that exists: name it, and say nothing of validation data.
        { "val_acc", ["loss", "accuracy", "val_loss", "val_accuracy", "lr"], "did you mean 'val_accuracy'?", "ValidationData" },
        { "acuracy", ["loss", "accuracy", "lr"], "did you mean 'accuracy'?", "ValidationData" },
        { "val_los", ["loss", "val_loss"], "did you mean 'val_loss'?", null },
        // No val_ key at all: validation data is the fix, or the training counterpart.
        { "val_loss", ["loss", "accuracy", "lr"], "pass ValidationData or ValidationSet to Fit, or monitor 'loss'", null },
        { "val_acc", ["loss", "accuracy", "lr"], "or monitor 'accuracy'", null },
    };

    [Theory]
    [MemberData(nameof(MissingKeys))]
    public void A_missing_monitored_key_suggests_the_nearest_one(string key, string[] logged, string expected, string? absent)
    {
        var logs = logged.ToDictionary(k => k, _ => 1.0);
        foreach (var callback in new Func<Callback>[] { () => new EarlyStopping(key), () => new ReduceLROnPlateau(key) })
        {
            var e = Assert.Throws<InvalidOperationException>(() => callback().OnEpochEnd(Context(), logs));
            Assert.Contains($"'{key}' is not among", e.Message, StringComparison.Ordinal);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            if (absent is not null) Assert.DoesNotContain(absent, e.Message, StringComparison.Ordinal);
        }
    }

    private static FitContext Context()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        FitContext? context = null;
        var (x, y) = TinyLinear.Problem(4, seed: 2);
        model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Descent(0f).Setup(model),
            new FitOptions { Callbacks = [new LambdaCallback(onTrainBegin: c => context = c)] });
        return context!;
    }
}
