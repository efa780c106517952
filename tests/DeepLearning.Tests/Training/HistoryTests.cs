using System.Globalization;

namespace DeepLearning.Tests.Training;

public class HistoryTests
{
    [Fact]
    public void SaveCsv_writes_a_header_and_one_row_per_epoch()
    {
        var h = new History();
        h.Append(0, new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.25 });
        h.Append(1, new Dictionary<string, double> { ["loss"] = 0.125, ["accuracy"] = 0.75, ["val_loss"] = 1.0 / 3 });
        var folder = Directory.CreateTempSubdirectory("history");
        try
        {
            var path = Path.Combine(folder.FullName, "h.csv");
            File.WriteAllText(path, "old contents");
            h.SaveCsv(path);
            var lines = File.ReadAllLines(path);
            Assert.Equal(["epoch,loss,accuracy,val_loss", "0,0.5,0.25,NaN", "1,0.125,0.75,0.3333333333333333"], lines);
            Assert.Equal(1.0 / 3, double.Parse(lines[2].Split(',')[3], CultureInfo.InvariantCulture));
            Assert.Single(Directory.GetFiles(folder.FullName));          // no temporary file left behind
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Fit_history_round_trips_through_csv()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(12, seed: 2);
        var history = model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Descent(0.05f).Setup(model), new FitOptions { Epochs = 3 });
        var path = Path.Combine(Path.GetTempPath(), $"fit-{Guid.NewGuid():N}.csv");
        try
        {
            history.SaveCsv(path);
            var rows = File.ReadAllLines(path);
            Assert.Equal("epoch,loss,lr", rows[0]);
            for (int e = 0; e < 3; e++)
            {
                var cells = rows[e + 1].Split(',');
                Assert.Equal(e.ToString(CultureInfo.InvariantCulture), cells[0]);
                Assert.Equal(history.Loss[e], double.Parse(cells[1], CultureInfo.InvariantCulture));
                Assert.Equal(0.05, double.Parse(cells[2], CultureInfo.InvariantCulture), 1e-7);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_folder_or_key_is_named()
    {
        var h = new History();
        h.Append(0, new Dictionary<string, double> { ["loss"] = 1 });
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "h.csv");
        var e = Assert.Throws<DirectoryNotFoundException>(() => h.SaveCsv(missing));
        Assert.Contains("no-such-", e.Message, StringComparison.Ordinal);
        var k = Assert.Throws<KeyNotFoundException>(() => h["val_loss"]);
        Assert.Contains("have: loss", k.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void After_zero_epochs_every_key_reads_empty()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var history = model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Descent(0.1f).Setup(model), new FitOptions { Epochs = 0 });
        Assert.Empty(history.Loss);
        Assert.Empty(history["val_accuracy"]);
        Assert.Equal(0, history.Count);
    }
}
