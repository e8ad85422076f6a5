"""The Dataset node: corpora to feature matrices, settings from an upstream MFCC chain, defined failures."""

import numpy as np
import pytest

from listenwidgets import dsp
from listenwidgets.errors import ParameterError
from listenwidgets.nodes import MFCC, STFT, Dataset, Graph, MelSpectrogram, SignalGenerator, Trainer
from listenwidgets.nodes.dataset import FEATURE_SETS, FeatureSettings, clip_features, feature_names


def mfcc_chain(**mel):
    probe = SignalGenerator(sr=16000, duration=0.3)
    stft = STFT(source=probe, n_fft=512, hop_length=128)
    return MFCC(mel=MelSpectrogram(spectrogram=stft, n_mels=40, **mel), n_mfcc=13)


@pytest.mark.parametrize("features", FEATURE_SETS)
def test_every_feature_set_gives_one_finite_named_row_per_clip(features):
    node = Dataset(n_per_class=6, features=features)
    out = node.output
    assert node.error is None, node.error
    assert out.X.shape == (12, len(out.feature_names)) and out.X.dtype == np.float64
    assert np.all(np.isfinite(out.X))
    assert out.classes == ["noise", "tone"] and out.counts() == {"noise": 6, "tone": 6}
    assert len(out.names) == len(out.groups) == len(out.clips) == 12 and not out.failures
    assert out.feature_names == feature_names(features, out.settings)
    assert f"m = 12 examples × n_x = {out.X.shape[1]}" in node.describe()


def test_a_row_is_the_mean_and_std_of_the_mfccs_of_its_clip():
    out = Dataset(n_per_class=3, corpus="vowels").output
    C = dsp.mfcc(y=out.clips[4], sr=out.sr)          # librosa's defaults, as the node without an input
    np.testing.assert_allclose(out.X[4], np.concatenate([C.mean(axis=1), C.std(axis=1)]), rtol=1e-5,
                               atol=1e-4)
    assert out.labels[4] == out.names[4].split("/")[0].removeprefix("vowel_")


def test_an_upstream_mfcc_node_sets_the_features_and_its_knobs_recompute_them():
    chain = mfcc_chain()
    node = Dataset(n_per_class=4, mfcc=chain)
    out = node.output
    assert out.X.shape[1] == 26
    assert (out.settings.n_fft, out.settings.hop_length, out.settings.n_mels, out.settings.n_mfcc) == \
        (512, 128, 40, 13)
    assert out.settings.fmax is None          # the probe's Nyquist means "the clip's Nyquist"
    chain.n_mfcc = 8
    assert node.stale and node.output.X.shape[1] == 16
    chain.mel.fmax = 4000.0
    assert node.output.settings.fmax == 4000.0


def test_an_upstream_fmax_above_the_corpus_nyquist_is_a_named_error():
    chain = mfcc_chain(fmax=10000.0)
    chain.mel.spectrogram.source.sr = 22050
    node = Dataset(n_per_class=4, mfcc=chain, sr=16000)
    assert isinstance(node.error, ParameterError) and "fmax=10000" in str(node.error)
    node.sr = 22050
    assert node.error is None


def test_examples_with_a_nan_feature_are_dropped_and_reported(monkeypatch):
    import listenwidgets.nodes.dataset as module

    real = module.clip_features

    def silent_third(y, **kwargs):
        x = real(y, **kwargs)
        return x * np.nan if silent_third.calls == 2 else x

    def counting(y, **kwargs):
        out = silent_third(y, **kwargs)
        silent_third.calls += 1
        return out

    silent_third.calls = 0
    monkeypatch.setattr(module, "clip_features", counting)
    out = Dataset(n_per_class=5).output
    assert out.X.shape[0] == 9 and np.all(np.isfinite(out.X))
    (name, message), = out.failures
    assert name not in out.names and "not finite: example dropped" in message


def test_a_clip_whose_features_cannot_be_computed_is_dropped_and_reported(monkeypatch):
    import listenwidgets.nodes.dataset as module

    real = module.corpora.synthetic

    def with_a_nan_sample(*args, **kwargs):
        corpus = real(*args, **kwargs)
        corpus.clips[0][100] = np.nan
        return corpus

    monkeypatch.setattr(module.corpora, "synthetic", with_a_nan_sample)
    y = np.sin(np.arange(8000) / 5.0).astype(np.float32)
    y[100] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        clip_features(y, sr=16000)
    out = Dataset(n_per_class=4).output
    assert out.X.shape[0] == 7
    (name, message), = out.failures
    assert "NaN" in message and message.endswith("example dropped") and name not in out.names


def test_a_folder_corpus_reads_subfolders_and_refuses_when_sandboxed(tmp_path):
    rng = np.random.default_rng(0)
    for label, make in (("hum", lambda: 0.5 * np.sin(np.arange(4000) / 3.0)),
                        ("hiss", lambda: 0.3 * rng.standard_normal(4000))):
        (tmp_path / label).mkdir()
        for i in range(4):
            dsp.write(tmp_path / label / f"{i}.wav", make(), sr=8000)
    (tmp_path / "hum" / "broken.wav").write_bytes(b"not audio")
    node = Dataset(corpus="folder", path=str(tmp_path), sr=8000, features="spectral")
    assert node.error is None, node.error
    assert node.output.counts() == {"hiss": 4, "hum": 4}
    assert [name for name, _ in node.output.failures] == ["hum/broken.wav"]
    closed = Dataset(corpus="folder", path=str(tmp_path), sandboxed=True)
    assert isinstance(closed.error, ParameterError) and "corpus='folder'" in str(closed.error)
    assert isinstance(Dataset(corpus="folder").error, ParameterError)


def test_one_class_is_a_parameter_error_that_recovers(tmp_path):
    (tmp_path / "only").mkdir()
    dsp.write(tmp_path / "only" / "a.wav", 0.5 * np.sin(np.arange(4000) / 3.0), sr=8000)
    node = Dataset(corpus="folder", path=str(tmp_path), sr=8000)
    trainer = Trainer(examples=node)
    assert isinstance(node.error, ParameterError) and "two class" in str(node.error)
    assert trainer.error is not None and trainer.output is None
    node.corpus = "tone_vs_noise"
    node.n_per_class = 5
    assert node.error is None and trainer.error is None


def test_settings_round_trip_and_the_graph_saves_the_dataset():
    settings = FeatureSettings(n_fft=256, fmax=3000.0)
    assert FeatureSettings.from_dict(settings.to_dict()) == settings
    with pytest.raises(ParameterError, match="nfft"):
        FeatureSettings.from_dict({"nfft": 3})
    graph = Graph({"data": Dataset(corpus="vowels", n_per_class=3, features="chroma")})
    copy = Graph.from_json(graph.to_json())
    np.testing.assert_array_equal(copy["data"].output.X, graph["data"].output.X)
    assert "sandboxed" not in graph.to_dict()["nodes"]["data"]["knobs"]
