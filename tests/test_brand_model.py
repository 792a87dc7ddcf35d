"""The pretrained brand-aspect model (`datasets/models/aspect_sentiment_minilm`, not in git: `aima brand train --save`):
held-out MAMS categories, the dimension scores of a mention, and `aima brand evaluate` on a file it never saw."""

import pytest

from aima.brand.absa_data import training_examples
from aima.brand.aspects import category_metrics
from aima.brand.pretrained import load_pretrained, pretrained_dir
from aima.brand.baselines import MajorityPolarity

pytestmark = pytest.mark.skipif(
    pretrained_dir() is None,
    reason="no pretrained aspect model (datasets/models/aspect_sentiment_minilm/README.md: aima brand train --save)",
)

XML = """<sentences>
 <sentence id="1"><text>The sushi was fresh and absolutely delicious.</text>
  <aspectTerms><aspectTerm term="sushi" polarity="positive" from="4" to="9"/></aspectTerms></sentence>
 <sentence id="2"><text>Sadly the battery died after barely an hour.</text>
  <aspectTerms><aspectTerm term="battery" polarity="negative" from="10" to="17"/></aspectTerms></sentence>
 <sentence id="3"><text>Our waitress was rude and the wine list overpriced.</text>
  <aspectTerms><aspectTerm term="waitress" polarity="negative" from="4" to="12"/>
   <aspectTerm term="wine list" polarity="negative" from="30" to="39"/></aspectTerms></sentence>
</sentences>"""


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


def test_beats_the_majority_on_held_out_mams(model):
    mv = training_examples(["mams_validation"])[:80]  # never trained on
    got, floor = category_metrics(model, mv), category_metrics(MajorityPolarity().fit(mv), mv)
    assert got["n"] == floor["n"] > 150
    assert got["accuracy"] > floor["accuracy"] + 0.1, (got, floor)


def test_dimension_scores_of_a_mention(model):
    res = model.aspects(["The pasta was great but the waiter was rude."]).set_index("dimension")
    assert res.polarity.to_dict() == {"product_quality": "positive", "customer_service": "negative"}
    assert res.loc["customer_service", "evidence"] == "the waiter was rude"


def test_evaluate_uses_the_pretrained_model_on_unseen_sentences(tmp_path):
    from aima.brand.analyse import evaluate_semeval14

    f = tmp_path / "unseen.xml"
    f.write_text(XML)
    out = evaluate_semeval14(f)
    assert (out["pretrained"], out["n"]) == (True, 4)
    assert out["accuracy"] == 1.0, out
