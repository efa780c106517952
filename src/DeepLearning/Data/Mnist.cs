namespace DeepLearning;

/// <summary>One part (train or test) of MNIST: images and their digit labels.</summary>
/// <param name="Images">The images as rows of <c>[N, 784]</c> (28×28, row-major), pixel values in [0, 1].</param>
/// <param name="Labels">The digits 0 … 9, one per image.</param>
public sealed record MnistSet(Tensor Images, int[] Labels)
{
    /// <summary>Number of images N.</summary>
    public int Count => Labels.Length;
}

/// <summary>
/// The MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 training and 10,000 test images of 28×28 grey pixels.
/// </summary>
public static class Mnist
{
    /// <summary>The four file names, without the optional <c>.gz</c>: train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Loads MNIST from <paramref name="directory"/>, which holds the four IDX files of <see cref="FileNames"/>, each raw
    /// or gzip (<c>.gz</c>). Images become <c>[N, 784]</c> rows in [0, 1], labels an <c>int[N]</c>.
    /// </summary>
    /// <remarks>The tensors belong to the current <see cref="TensorScope"/>, if any: load outside scopes (or keep them).</remarks>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the directory and the four files expected there.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file of 28×28 images or labels 0 … 9, or the image
    /// and label counts differ; the message names the file.</exception>
    public static (MnistSet Train, MnistSet Test) Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Mnist: directory '{directory}' does not exist; it should hold {Expected()}");
        return (LoadSet(directory, FileNames[0], FileNames[1]), LoadSet(directory, FileNames[2], FileNames[3]));
    }

    private static MnistSet LoadSet(string directory, string imagesName, string labelsName)
    {
        string imagesPath = Find(directory, imagesName), labelsPath = Find(directory, labelsName);
        var labels = Idx.ReadLabels(labelsPath);
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 9)
                throw new InvalidDataException($"Mnist: '{labelsPath}' has label {labels[i]} at index {i}, expected a digit 0 … 9");
        var images = Idx.ReadImages(imagesPath);
        if (images.Shape[1] != 28 || images.Shape[2] != 28)
        {
            images.Dispose();
            throw new InvalidDataException($"Mnist: '{imagesPath}' holds images of {images.Shape[1]}×{images.Shape[2]} pixels, expected 28×28");
        }
        if (images.Shape[0] != labels.Length)
        {
            images.Dispose();
            throw new InvalidDataException($"Mnist: '{imagesPath}' holds {images.Shape[0]} images but '{labelsPath}' holds {labels.Length} labels");
        }
        return new MnistSet(images.Reshape(labels.Length, 28 * 28), labels);
    }

    private static string Find(string directory, string name)
    {
        string raw = Path.Combine(directory, name), gz = raw + ".gz";
        if (File.Exists(gz)) return gz;
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException($"Mnist: neither '{gz}' nor '{raw}' exists; directory '{directory}' should hold {Expected()}", gz);
    }

    private static string Expected() => string.Join(", ", FileNames.Select(f => f + "(.gz)"));
}
